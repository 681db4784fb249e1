"""The fast acceptance path never accepts what the model refuses, and parses to equal values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from cardwatch_shared.contracts import TransactionRow
from cardwatch_shared.contracts.transaction_row import FUTURE_TOLERANCE
from cardwatch_shared.contracts.transaction_row_fast import FastRowParser, from_model
from tests.support.cards import TEST_PANS
from tests.support.csv_files import good_row
from tests.support.fast_rows import accept_row

pytestmark = pytest.mark.unit
LATEST = datetime.now(UTC) + FUTURE_TOLERANCE

TRICKY: dict[str, list[str]] = {
    "transaction_id": ["", " ", "tx 1", "a" * 64, "a" * 65, "ok-1.2:3_4", TEST_PANS[0], "é"],
    "card_number": [*TEST_PANS, "4111 1111 1111 1111", "4111111111111112", "1795910002249",
                    "4" * 20, "", "٤١١١١١١١١١١١١١١١", "4111-1111-1111-1111"],
    "amount": ["1", "0", "-1", "1.5", "1.505", "0001.50", "1e2", "NaN", "inf", " 1.50",
               "1000000", "1000000.01", "9999999", "1,50", ".5", "5."],
    "currency": ["EUR", "JPY", "KWD", "eur", "XXX", "EURO", ""],
    "timestamp": ["2026-11-20T09:15:00Z", "2026-11-20T09:15:00+01:00", "2026-11-20T09:15:00",
                  "2026-11-20T09:15:00.123456Z", "2026-13-01T00:00:00Z", "1969-12-31T23:59:59Z",
                  "2999-01-01T00:00:00Z", "1700000000", "2026-11-20 09:15:00Z", "20261120T091500Z",
                  "٢٠٢٦-11-20T09:15:00Z", "2026-11-20T24:00:00Z"],
    "merchant_name": ["Café", "", "x" * 128, "x" * 129, f"card {TEST_PANS[1]}", "=cmd",
                      "a\x00b", "two\nlines", "a\u0085b", "no\u00a0break", "tab\there"],
    "mcc": ["5462", "546", "54620", "٥٤٦٢", "abcd"],
    "channel": ["card_present", "card_not_present", "CARD_PRESENT", "atm", ""],
    "country": ["FR", "fr", "FRA", ""],
    "latitude": ["", "48.85", "-90", "90.0001", "1e1", "nan", " 1", "-0"],
    "longitude": ["", "2.35", "180", "-180.5", "abc"],
}  # fmt: skip


def model_result(raw: dict[str, str]) -> TransactionRow | None:
    try:
        return TransactionRow.model_validate(raw)
    except ValidationError:
        return None


@settings(max_examples=400, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=10_000),
    changes=st.dictionaries(
        st.sampled_from(sorted(TRICKY)),
        st.sampled_from(sorted({v for values in TRICKY.values() for v in values})),
        max_size=3,
    ),
    targeted=st.sampled_from(sorted(TRICKY)).flatmap(
        lambda column: st.tuples(st.just(column), st.sampled_from(TRICKY[column]))
    ),
)
def test_fast_path_agrees_with_the_model(
    index: int, changes: dict[str, str], targeted: tuple[str, str]
) -> None:
    raw = good_row(index, **changes)
    raw[targeted[0]] = targeted[1]
    fast = accept_row(raw, LATEST)
    model = model_result(raw)
    if fast is not None:
        assert model is not None, f"fast path accepted what the model refuses: {targeted}"
        assert from_model(model) == fast


@pytest.mark.parametrize("index", range(50))
def test_fast_path_accepts_plain_rows(index: int) -> None:
    assert accept_row(good_row(index), LATEST) is not None


def test_fast_path_declines_sensitive_columns() -> None:
    assert accept_row({**good_row(0), "CVV": "123"}, LATEST) is None


def test_future_bound_is_the_callers() -> None:
    row = good_row(0, timestamp=(datetime.now(UTC) + timedelta(hours=2)).isoformat())
    assert accept_row(row, datetime.now(UTC)) is None
    assert accept_row(row, LATEST) is not None


@pytest.mark.parametrize(
    "columns",
    [
        ["country", "channel", "terminal_id", "mcc", "merchant_name", "merchant_id", "timestamp",
         "currency", "amount", "card_number", "transaction_id", "longitude", "latitude"],
        ["card_number", "amount", "currency", "timestamp", "merchant_id", "merchant_name", "mcc",
         "terminal_id", "channel", "country"],
        ["note", "card_number", "amount", "currency", "timestamp", "merchant_id", "merchant_name",
         "mcc", "terminal_id", "channel", "country", "latitude"],
    ],
)  # fmt: skip
def test_parser_reads_any_header_order_with_optional_columns_absent(columns: list[str]) -> None:
    parser = FastRowParser(columns, LATEST)
    for index in range(20):
        raw = {"note": "x", **good_row(index)}
        row = {column: raw[column] for column in columns}
        fast = parser.accept([row[column] for column in columns])
        assert fast is not None
        assert fast == from_model(TransactionRow.model_validate(row))


def test_parser_declines_every_row_of_a_header_missing_a_required_column() -> None:
    columns = [c for c in good_row(0) if c != "mcc"]
    parser = FastRowParser(columns, LATEST)
    assert parser.accept([good_row(0)[c] for c in columns]) is None


@pytest.mark.parametrize(
    ("stamp", "event_time"),
    [
        ("2026-11-20T09:15:00Z", "2026-11-20T09:15:00Z"),
        ("2026-11-20T09:15:00+00:00", "2026-11-20T09:15:00Z"),
        ("2026-11-20T10:15:00+01:00", "2026-11-20T09:15:00Z"),
        ("2026-11-20T09:15:00.5Z", "2026-11-20T09:15:00.500000Z"),
    ],
)
def test_event_time_is_written_as_the_contracts_write_it(stamp: str, event_time: str) -> None:
    fast = accept_row(good_row(0, timestamp=stamp), LATEST)
    assert fast is not None
    assert fast.event_time == event_time
