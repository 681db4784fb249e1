"""Decoding a Kinesis batch: strict base64 of a Transaction's JSON, or a reason for the record;
one bad record never stops the others."""

from __future__ import annotations

import base64

import pytest

from cardwatch_scorer.batch import decode
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
