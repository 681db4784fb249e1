"""Decoding a Kinesis batch: strict base64 of a Transaction's JSON, or a reason for the record;
one bad record never stops the others."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest

from cardwatch_scorer.batch import decode
from cardwatch_scorer.stream_transaction import StreamTransaction, read_transactions
from tests.support.transactions import transaction

pytestmark = pytest.mark.unit


def _record(sequence: str, data: str) -> dict[str, dict[str, str]]:
    return {"kinesis": {"sequenceNumber": sequence, "data": data, "partitionKey": "k"}}


def test_valid_records_decode_and_each_bad_one_gets_a_reason() -> None:
    good = base64.b64encode(transaction(1).model_dump_json().encode()).decode()
    records = [
        _record("1", good),
        _record("2", good[:-1] + "!"),  # not a base64 digit
        _record("3", good.rstrip("=") + "A"),  # padding and length wrong
        _record("4", good + "é"),  # not ASCII
        _record("5", base64.b64encode(b'{"transaction_id": "x"}').decode()),  # not a Transaction
        _record("6", good[:8] + "\n" + good[8:]),  # whitespace inside
    ]
    decoded, failures = decode(records)
    assert [(sequence, tx.transaction_id) for sequence, tx in decoded] == [("1", "tx-00001")]
    assert sorted(failures) == ["2", "3", "4", "5", "6"]
    assert all("not a valid Transaction" in reason for reason in failures.values())


def test_a_record_the_fast_reader_leaves_to_the_model_is_decoded_by_it_in_its_place() -> None:
    """An amount as a JSON number: the contract accepts it, the fast reader leaves it to it."""
    payloads = [json.loads(transaction(i).model_dump_json()) for i in range(3)]
    payloads[1]["amount"] = 25.5
    records = [
        _record(str(i), base64.b64encode(json.dumps(p).encode()).decode())
        for i, p in enumerate(payloads)
    ]
    assert read_transactions([base64.b64decode(r["kinesis"]["data"]) for r in records])[1] is None
    decoded, failures = decode(records)
    assert failures == {}
    assert [(sequence, tx.transaction_id) for sequence, tx in decoded] == [
        ("0", "tx-00000"),
        ("1", "tx-00001"),
        ("2", "tx-00002"),
    ]
    assert decoded[1][1].amount == Decimal("25.5")
    assert decoded[1][1] == StreamTransaction.of(transaction(1, amount="25.5", amount_minor=2500))


def test_data_that_is_not_text_is_a_bad_record_not_a_crash() -> None:
    good = base64.b64encode(transaction(1).model_dump_json().encode()).decode()
    records: list[dict[str, dict[str, Any]]] = [
        _record("1", good),
        {"kinesis": {"sequenceNumber": "2", "data": None, "partitionKey": "k"}},
        {"kinesis": {"sequenceNumber": "3", "data": 12, "partitionKey": "k"}},
    ]
    decoded, failures = decode(records)
    assert [sequence for sequence, _ in decoded] == ["1"]
    assert sorted(failures) == ["2", "3"]
