"""`TransactionRow` parses the upload format strictly, with one clear message per bad field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from cardwatch_shared.contracts import Channel, TransactionRow
from cardwatch_shared.contracts.field_errors import field_errors
from tests.support.cards import TEST_PANS

pytestmark = pytest.mark.unit


def good_row(**changes: str) -> dict[str, str]:
    """A valid CSV row as DictReader yields it, with `changes` applied."""
    row = {
        "transaction_id": "",
        "card_number": TEST_PANS[0],
        "amount": "42.50",
        "currency": "EUR",
        "timestamp": "2026-11-20T09:15:00+01:00",
        "merchant_id": "M-1",
        "merchant_name": "Boulangerie",
        "mcc": "5462",
        "terminal_id": "T-1",
        "channel": "card_present",
        "country": "FR",
        "latitude": "48.85",
        "longitude": "",
    }
    row.update(changes)
    return row


def errors_of(row: dict[str, Any]) -> list[tuple[str | None, str]]:
    with pytest.raises(ValidationError) as info:
        TransactionRow.model_validate(row)
    assert TEST_PANS[0] not in str(info.value)
    return field_errors(info.value)


def test_good_row_parses() -> None:
    row = TransactionRow.model_validate(good_row())
    assert row.transaction_id is None
    assert row.card_digits == TEST_PANS[0]
    assert row.amount == Decimal("42.50")
    assert row.timestamp == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)
    assert row.channel is Channel.CARD_PRESENT
    assert row.latitude == pytest.approx(48.85)
    assert row.longitude is None


def test_card_number_hidden_in_repr() -> None:
    row = TransactionRow.model_validate(good_row())
    assert TEST_PANS[0] not in repr(row)
    assert TEST_PANS[0] not in row.model_dump_json()


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("card_number", "4111111111111112", "card number fails the Luhn check"),
        ("card_number", "411111111111", "card number must have 13-19 digits, got 12"),
        ("amount", "-5", "amount must be positive"),
        ("amount", "0", "amount must be positive"),
        ("amount", "NaN", "amount must be finite"),
        ("amount", "inf", "amount must be finite"),
        ("amount", "1e308", "amount exceeds the limit of 1000000"),
        ("amount", "abc", "amount is not a number"),
        ("currency", "XXX", "currency XXX is not supported"),
        ("currency", "eur", "currency must be a 3-letter code in capitals (ISO 4217), e.g. EUR"),
        ("timestamp", "2026-11-20T09:15:00", "timestamp needs a UTC offset, e.g. 2026-11-20T09:15"),
        ("timestamp", "yesterday", "timestamp is not an ISO 8601 date and time, e.g."),
        ("timestamp", "1969-12-31T23:59:59Z", "timestamp is before 1970"),
        ("timestamp", "2999-01-01T00:00:00Z", "timestamp is in the future"),
        ("mcc", "54", "mcc must be 4 digits"),
        ("country", "fr", "country must be a 2-letter code in capitals (ISO 3166-1), e.g. FR"),
        (
            "transaction_id",
            "a b",
            "transaction_id must be made of letters, digits and . _ : - only",
        ),
        ("channel", "atm", "channel must be 'card_present' or 'card_not_present'"),
        ("latitude", "91", "latitude must be at most 90"),
        ("longitude", "-180.5", "longitude must be at least -180"),
        ("latitude", "north", "latitude is not a number"),
        ("merchant_id", "", "merchant_id is empty"),
        ("merchant_name", "x" * 129, "merchant_name must have at most 128 characters"),
        ("merchant_name", f"card {TEST_PANS[2]}", "looks like a card number"),
    ],
)
def test_bad_field_gets_a_clear_reason(column: str, value: str, reason: str) -> None:
    [(bad_column, message)] = errors_of(good_row(**{column: value}))
    assert bad_column == column
    assert message.startswith(reason)


def test_minor_units_are_enforced() -> None:
    [(_, message)] = errors_of(good_row(amount="880.5", currency="JPY"))
    assert message == "amount has 1 decimal places; JPY allows 0"
    assert TransactionRow.model_validate(good_row(amount="1.234", currency="KWD"))


@pytest.mark.parametrize("column", ["cvv", "CVC2", "track2", "pin"])
def test_sensitive_columns_are_refused(column: str) -> None:
    [(_, message)] = errors_of({**good_row(), column: "123"})
    assert "sensitive authentication data is refused" in message


def test_unknown_columns_are_ignored() -> None:
    row = TransactionRow.model_validate({**good_row(), "note": "gift"})
    assert "note" not in row.model_dump()


def test_missing_required_column() -> None:
    row = good_row()
    del row["terminal_id"]
    assert errors_of(row) == [("terminal_id", "terminal_id is missing")]


def test_near_future_within_tolerance() -> None:
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert TransactionRow.model_validate(good_row(timestamp=soon))
