"""What ingest puts on Kinesis is a valid `Transaction`, equal to what the model would write."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_ingest.row_conversion import PayloadBuilder
from cardwatch_scorer.stream_transaction import StreamTransaction, read_transactions
from cardwatch_shared.card_number import Tokenizer, tokenize
from cardwatch_shared.contracts import Transaction, TransactionRow
from cardwatch_shared.contracts.transaction_row import FUTURE_TOLERANCE
from cardwatch_shared.schema_registry import current_path
from tests.support.csv_files import good_row
from tests.support.fast_rows import accept_row

pytestmark = pytest.mark.contract
KEY = bytes(range(32))


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=100_000),
    tx_id=st.sampled_from(["", "tx-1"]),
    offset=st.sampled_from(["Z", "+05:30", "-08:00", ".5Z", ".123456+01:00", "+00:00"]),
    currency=st.sampled_from(["EUR", "JPY", "KWD"]),
    name=st.text(min_size=1, max_size=40).filter(lambda s: not s[0].isdigit()),
)
def test_payload_is_a_transaction(
    index: int, tx_id: str, offset: str, currency: str, name: str
) -> None:
    amount = {"EUR": "12.34", "JPY": "880", "KWD": "1.234"}[currency]
    raw = good_row(index, transaction_id=tx_id, currency=currency, amount=amount,
                   merchant_name=name, timestamp=f"2026-11-20T09:15:00{offset}")  # fmt: skip
    row = accept_row(raw, datetime.now(UTC) + FUTURE_TOLERANCE)
    if row is None:  # a name the model refuses (e.g. a card number); not this test's subject
        return
    ingested = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    builder = PayloadBuilder(Tokenizer(KEY), "bucket", "incoming/f.csv", "bucket/f@e", ingested)
    transaction_id, token, payload = builder.build(row, 7)
    parsed = Transaction.model_validate_json(payload)
    assert json.loads(payload) == parsed.model_dump(mode="json")  # nothing extra, nothing lost
    jsonschema.validate(json.loads(payload), json.loads(current_path(Transaction).read_text()))
    model_row = TransactionRow.model_validate(raw)
    assert parsed.transaction_id == transaction_id == (tx_id or parsed.transaction_id)
    assert parsed.card_token == token == tokenize(raw["card_number"], KEY)
    assert parsed.last4 == raw["card_number"][-4:]
    assert parsed.amount == model_row.amount
    assert parsed.event_time == model_row.timestamp
    assert parsed.merchant_name == name
    assert parsed.source.row_number == 7
    assert raw["card_number"] not in payload.decode()
    assert read_transactions([payload]) == [StreamTransaction.of(parsed)]  # the scorer's fast path
