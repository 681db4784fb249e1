"""The scorer's fast reader against the contract: whatever it accepts, `Transaction` accepts with
equal values (and the same verdict item); what it refuses, the model decides."""

from __future__ import annotations

import binascii
import json
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import to_jsonable_python

from cardwatch_scorer.stream_transaction import (
    StreamTransaction,
    read_transactions,
    record_datas,
)
from cardwatch_scorer.verdict_record import verdict_record, verdict_records
from cardwatch_shared.contracts import Decision, Transaction
from cardwatch_shared.verdict_item import Judgement, VerdictStamp
from tests.support.transactions import transaction

pytestmark = pytest.mark.contract

BASE: dict[str, Any] = json.loads(transaction(1).model_dump_json())
SOURCE: dict[str, Any] = BASE["source"]
JUDGED = Judgement(0.25, Decision.ALLOW, [], [])
STAMP = VerdictStamp(0.5, "m1", None, datetime(2026, 11, 21, tzinfo=UTC))

TIMES = [
    "2026-11-20T09:00:00Z", "2026-11-20t09:00:00z", "2026-11-20 09:00:00Z",
    "2026-11-20T09:00:00.1234567Z", "2026-11-20T09:00:60Z", "2026-11-20T09:00:00",
    "2026-11-20T09:00:00+02:00", "2026-11-20T09:00:00-00:00", "2026-11-20T09:00:00+24:00",
    "2026-11-20T24:00:00Z", "2026-02-30T09:00:00Z", "20261120T090000Z", "2026-11-20T09:00:00.5Z",
    "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999-23:59", "2026-11-20", 1_700_000_000,
    "2026-11-20T09:00:00.000001+05:30", "２026-11-20T09:00:00Z", "2026-11-20T09:00:00.123456Z",
    "2026-11-20T09:00:00.000000Z", "2026-11-20T09:00:00.500000Z", "2026-11-20T09:00:00.5+02:00",
    "2026-11-20T09:00:00.12345+02:00", "2026-11-20T09:00:00.1234567+02:00",
]  # fmt: skip
# Per field, values the contract may or may not accept: each one is tried in a valid record.
TRICKY: dict[str, list[Any]] = {
    "schema_version": ["1.0", "2.0", 1.0, None],
    "transaction_id": ["", "x" * 64, "x" * 65, "é" * 64, 5, None, "a\nb"],
    "card_token": [
        "a" * 64,
        "A" * 64,
        "x" * 64,
        "a" * 63,
        "a" * 64 + "\n",
        "g" * 64,
        "٣" * 64,
        "",
        7,
    ],
    "last4": ["1234", "١٢٣٤", "1234\n", "123", "12345", 1234, "12 4"],
    "amount": [
        "10.00",
        "0",
        "0.00",
        "-1",
        "1e5",
        "NaN",
        "Infinity",
        " 1",
        "1_0",
        10.5,
        1,
        "10.1234567",
        "1.0000000000000001",
        True,
        None,
        "1234567890123456",
    ],
    "amount_minor": [1, 0, -1, "1000", 1000.0, True, 2**70, None],
    "currency": ["EUR", "eur", "EU", "EURO", "ÉUR", ""],
    "event_time": TIMES,
    "ingested_at": TIMES,
    "merchant_id": ["", "M-2", 3, None],
    "merchant_name": ["", "é", "a\nb", "\ud83d\ude00"],
    "mcc": ["5462", "546", "٥٤٦٢", "54621"],
    "terminal_id": ["", "T-9", None],
    "channel": ["card_present", "card_not_present", "CARD_PRESENT", "other", 1],
    "country": ["FR", "fr", "FRA", "Ｆr"],
    "latitude": [None, 45, 45.5, "45", 1e308, True, -0.0],
    "longitude": [None, -120.25, "x"],
    "source": [
        SOURCE,
        {**SOURCE, "row_number": 0},
        {**SOURCE, "row_number": "3"},
        {**SOURCE, "extra": 1},
        {**SOURCE, "bucket": ""},
        None,
        [],
    ],
}
CASES = [(name, value) for name, values in TRICKY.items() for value in values]


def _same(fast: StreamTransaction, data: bytes) -> None:
    """The model accepts `data`, with the values the fast reader read and the same item."""
    model = Transaction.model_validate_json(data)
    assert fast == StreamTransaction.of(model)
    assert fast.event_time.isoformat() == model.event_time.isoformat()
    assert fast.ingested_at.isoformat() == model.ingested_at.isoformat()
    assert str(fast.amount) == str(model.amount)
    assert fast.times_text == tuple(to_jsonable_python((model.event_time, model.ingested_at)))
    record = verdict_record(model, JUDGED, "{}", STAMP)
    assert verdict_record(fast, JUDGED, "{}", STAMP) == record
    assert verdict_records([(fast, JUDGED, "{}")], STAMP, [fast.times_text]) == [record]


def _holds(data: bytes) -> StreamTransaction | None:
    fast = read_transactions([data])[0]
    if fast is not None:
        _same(fast, data)
    return fast


def test_a_payload_as_ingest_writes_it_is_read_fast_and_equal() -> None:
    for index in range(20):
        data = transaction(index, amount=f"{index + 1}.5{index % 10}").model_dump_json().encode()
        assert _holds(data) is not None


@pytest.mark.parametrize(("name", "value"), CASES, ids=[f"{n}={v!r}"[:60] for n, v in CASES])
def test_a_tricky_value_is_read_as_the_model_reads_it_or_left_to_it(name: str, value: Any) -> None:
    _holds(json.dumps({**BASE, name: value}).encode())


@pytest.mark.parametrize(
    "data",
    [
        json.dumps({**BASE, "extra": 1}).encode(),
        json.dumps({k: v for k, v in BASE.items() if k != "latitude"}).encode(),
        json.dumps({k: v for k, v in BASE.items() if k != "terminal_id"}).encode(),
        json.dumps(BASE).encode()[:-1] + b',"last4":"9999"}',  # a key twice: the last one counts
        json.dumps(BASE).encode()[:-1] + b',"last4":"99"}',
        json.dumps(BASE).replace("Boulangerie", "Boulangerie\\ud800").encode(),  # lone surrogate
        json.dumps(BASE).replace("Boulangerie", "Boul\xe9").encode("latin-1"),  # not UTF-8
        json.dumps([BASE]).encode(),
        b"",
        b"{",
        json.dumps(BASE).encode() + b" ",
        json.dumps(BASE).encode() + b" x",
    ],
)
def test_a_malformed_record_is_read_as_the_model_reads_it_or_left_to_it(data: bytes) -> None:
    _holds(data)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(TRICKY)), value=JSON_VALUES)
def test_any_value_in_any_field_keeps_the_parity(name: str, value: Any) -> None:
    _holds(json.dumps({**BASE, name: value}).encode())


@settings(max_examples=100, deadline=None)
@given(
    seconds=st.integers(min_value=0, max_value=253_402_300_799),
    micro=st.integers(min_value=0, max_value=999_999),
    offset=st.sampled_from(["Z", "+00:00", "-00:00", "+05:30", "-08:00", "+23:59"]),
)
def test_any_rfc3339_time_is_read_as_the_model_reads_it(
    seconds: int, micro: int, offset: str
) -> None:
    text = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    for fraction in ("", f".{micro:06d}", f".{micro // 1000:03d}"):
        time = f"{text}{fraction}{offset}"
        assert _holds(json.dumps({**BASE, "event_time": time}).encode()) is not None


def test_a_bad_value_leaves_only_its_own_record_to_the_model() -> None:
    good = [transaction(i).model_dump_json().encode() for i in range(4)]
    bad_token = json.dumps({**BASE, "card_token": "A" * 64}).encode()
    bad_time = json.dumps({**BASE, "event_time": "2026-02-30T09:00:00Z"}).encode()
    read = read_transactions([good[0], bad_token, good[1], b"{", good[2], bad_time, good[3]])
    assert [tx and tx.transaction_id for tx in read] == [
        "tx-00000",
        None,
        "tx-00001",
        None,
        "tx-00002",
        None,
        "tx-00003",
    ]


def test_a_value_holding_a_line_break_cannot_pass_for_two() -> None:
    """Columns are checked as one text, a value to a line: a value with a line break in it must
    not pass for two values of the right form."""
    two_tokens = json.dumps({**BASE, "card_token": "a" * 64 + "\n" + "b" * 64}).encode()
    read = read_transactions([two_tokens, transaction(2).model_dump_json().encode()])
    assert read[0] is None
    assert read[1] is not None


def test_ingest_times_shared_by_a_batch_are_read_once_each_and_kept_apart() -> None:
    """Ingest writes one ingest time for a whole file, and the reader reads each text once a
    batch: records with other texts, one of them a day that does not exist, are each read as the
    model reads them (or left to it) all the same."""
    times = ["2026-11-20T09:00:00.123456Z", "2026-02-30T09:00:00Z", "2026-11-20T10:00:00+02:00"]
    datas = [
        json.dumps({**BASE, "transaction_id": f"tx-{i}", "ingested_at": times[i % 3]}).encode()
        for i in range(9)
    ]
    read = read_transactions(datas)
    assert [tx is None for tx in read] == [False, True, False] * 3
    for tx, data in zip(read, datas, strict=True):
        if tx is not None:
            _same(tx, data)
    assert [tx.times_text[1] for tx in read if tx is not None] == [times[0], times[2]] * 3


MIXED = {  # each changes a valid record; some keep it valid, some make it the model's to decide
    "as ingest writes it": {},
    "zero amount": {"amount": "0.00"},
    "tiny amount": {"amount": "0.000001"},
    "event to the microsecond": {"event_time": "2026-11-20T09:00:00.250000Z"},
    "event with an offset": {"event_time": "2026-11-20T10:00:00+01:00"},
    "event on a day that does not exist": {"event_time": "2026-02-30T09:00:00Z"},
    "ingest to the second": {"ingested_at": "2026-11-21T00:00:00Z"},
    "ingest with an offset": {"ingested_at": "2026-11-21T01:00:00+01:00"},
    "ingest on a day that does not exist": {"ingested_at": "2026-02-30T00:00:00Z"},
    "ingest with a zero fraction": {"ingested_at": "2026-11-21T00:00:00.000000Z"},
    "bad token": {"card_token": "A" * 64},
}


@settings(max_examples=300, deadline=None)
@given(kinds=st.lists(st.sampled_from(sorted(MIXED)), min_size=1, max_size=12))
def test_a_batch_is_read_as_its_records_are_alone(kinds: list[str]) -> None:
    """Amounts and times are read a column at a time when every record allows it; whatever the
    mix, a batch reads as each of its records does alone."""
    datas = [
        json.dumps({**BASE, "transaction_id": f"tx-{i}", **MIXED[kind]}).encode()
        for i, kind in enumerate(kinds)
    ]
    read = read_transactions(datas)
    assert read == [read_transactions([data])[0] for data in datas]
    for tx, data in zip(read, datas, strict=True):
        if tx is not None:
            _same(tx, data)


B64_TEXT = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n -_.é\x00",
    max_size=14,
)


@settings(max_examples=2000, deadline=None)
@given(text=B64_TEXT)
def test_the_batch_base64_decoder_is_never_looser_than_strict_binascii(text: str) -> None:
    """The reader decodes a batch's base64 with msgspec: whatever msgspec accepts, strict
    binascii (the contract's reading of Kinesis data) accepts with the same bytes."""
    try:
        fast = msgspec.convert(text, bytes)
    except msgspec.ValidationError:
        assert record_datas([text]) == [_strict_or_none(text)]
        return
    assert binascii.a2b_base64(text, strict_mode=True) == fast
    assert record_datas([text]) == [fast]


def _strict_or_none(text: str) -> bytes | None:
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except ValueError:
        return None
