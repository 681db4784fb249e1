"""A fast acceptance check for `TransactionRow`, for ingest's hot loop.

`FastRowParser` applies the same rules as the pydantic model, only stricter in format (canonical
ISO timestamps, plain decimals), to one file's rows by position, and returns the parsed values, or
None. None means "ask the model": the caller then validates with `TransactionRow`, which is the
authority and gives the reasons. A parity test holds the two together: whatever this accepts, the
model accepts with equal values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from cardwatch_shared.card_number import (
    MAX_PAN_LENGTH,
    MIN_PAN_LENGTH,
    PAYMENT_MII,
    luhn_valid,
)
from cardwatch_shared.contracts.currency import MINOR_UNITS
from cardwatch_shared.contracts.transaction_row import (
    ALL_COLUMNS,
    EARLIEST,
    MAX_AMOUNT,
    REQUIRED_COLUMNS,
    Channel,
    sensitive_columns,
)
from cardwatch_shared.scrubber import may_hold_card_number

_SEPARATORS = str.maketrans("", "", " -")
_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_MCC = re.compile(r"[0-9]{4}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_AMOUNT = re.compile(r"[0-9]{1,7}(?:\.([0-9]{1,3}))?")
_COORD = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,10})?")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_CANONICAL_TIME_LENGTH = len("2026-11-20T09:15:00Z")
_ID_LONGEST, _NAME_LONGEST = 64, 128
_CHANNELS = {c.value: c for c in Channel}


def contract_time(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as pydantic writes aware datetimes in the contracts."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat()[:-6] + "Z"  # "+00:00" → "Z"


class FastRow(NamedTuple):
    """The parsed values of an accepted row (the card number as bare digits).

    `event_time` is `timestamp` as the contracts write it (kept from the input when already so)."""

    transaction_id: str | None
    card_digits: str
    amount: Decimal
    currency: str
    timestamp: datetime
    event_time: str
    merchant_id: str
    merchant_name: str
    mcc: str
    terminal_id: str
    channel: Channel
    country: str
    latitude: float | None
    longitude: float | None


def _card(value: str) -> str | None:
    digits = value.translate(_SEPARATORS)
    ok = (
        MIN_PAN_LENGTH <= len(digits) <= MAX_PAN_LENGTH
        and digits.isascii()
        and digits.isdigit()
        and digits[0] in PAYMENT_MII
        and luhn_valid(digits)
    )
    return digits if ok else None


def _amount(value: str, currency: str) -> Decimal | None:
    match = _AMOUNT.fullmatch(value)
    minor_units = MINOR_UNITS.get(currency)
    if match is None or minor_units is None or len(match.group(1) or "") > minor_units:
        return None
    amount = Decimal(value)
    return amount if 0 < amount <= MAX_AMOUNT else None


def _timestamp(value: str, latest: datetime) -> datetime | None:
    if not _TIMESTAMP.fullmatch(value):
        return None
    try:
        moment = datetime.fromisoformat(value).astimezone(UTC)
    except ValueError:
        return None
    return moment if EARLIEST <= moment <= latest else None


def _texts(tx_id: str, merchant_id: str, merchant_name: str, terminal_id: str) -> bool:
    """The free-text fields: lengths, printable, no digit run that could be a card number."""
    joined = f"{tx_id}|{merchant_id}|{merchant_name}|{terminal_id}"
    return (
        len(tx_id) <= _ID_LONGEST
        and 0 < len(merchant_id) <= _ID_LONGEST
        and 0 < len(merchant_name) <= _NAME_LONGEST
        and 0 < len(terminal_id) <= _ID_LONGEST
        and joined.isprintable()
        and not may_hold_card_number(joined)
    )


def _coordinate(value: str, bound: float) -> tuple[bool, float | None]:
    if value == "":
        return True, None
    if not _COORD.fullmatch(value):
        return False, None
    number = float(value)
    return -bound <= number <= bound, number


class FastRowParser:
    """The fast check for the rows of one file: reads cells by position, builds no dict.

    `latest` is the latest accepted timestamp (now plus the tolerance), fixed per file. A header
    with a sensitive column or without a required one makes every row go to the model."""

    def __init__(self, names: Sequence[str], latest: datetime) -> None:
        position = {name: i for i, name in enumerate(names)}  # the last wins, as in a dict
        self._latest = latest
        self._usable = not sensitive_columns(frozenset(names)) and all(
            column in position for column in REQUIRED_COLUMNS
        )
        self._pad = any(column not in position for column in ALL_COLUMNS)
        missing = len(names)  # a padded empty cell stands for an absent optional column
        self._pick = itemgetter(*(position.get(column, missing) for column in ALL_COLUMNS))

    def accept(self, cells: Sequence[str]) -> FastRow | None:
        """Parsed values when the row is plainly valid; None when the model must decide."""
        if not self._usable:
            return None
        (tx_id, card, amount_text, currency, stamp, merchant_id, merchant_name, mcc,
         terminal_id, channel_text, country, lat_text, lon_text) = self._pick(
            [*cells, ""] if self._pad else cells
        )  # fmt: skip
        digits = _card(card)
        amount = _amount(amount_text, currency)
        moment = _timestamp(stamp, self._latest)
        channel = _CHANNELS.get(channel_text)
        lat_ok, latitude = _coordinate(lat_text, 90)
        lon_ok, longitude = _coordinate(lon_text, 180)
        if (
            digits is None
            or amount is None
            or moment is None
            or channel is None
            or not (lat_ok and lon_ok)
            or (tx_id != "" and _ID.fullmatch(tx_id) is None)
            or _MCC.fullmatch(mcc) is None
            or _COUNTRY.fullmatch(country) is None
            or not _texts(tx_id, merchant_id, merchant_name, terminal_id)
        ):
            return None
        canonical = len(stamp) == _CANONICAL_TIME_LENGTH and stamp[-1] == "Z"
        return FastRow(tx_id or None, digits, amount, currency, moment,
                       stamp if canonical else contract_time(moment), merchant_id,
                       merchant_name, mcc, terminal_id, channel, country, latitude,
                       longitude)  # fmt: skip


def from_model(row: object) -> FastRow:
    """The same tuple from a validated `TransactionRow` (the slow path's result)."""
    from cardwatch_shared.contracts.transaction_row import TransactionRow

    assert isinstance(row, TransactionRow)
    moment = row.timestamp.astimezone(UTC)
    return FastRow(row.transaction_id, row.card_digits, row.amount, row.currency, moment,
                   contract_time(moment), row.merchant_id, row.merchant_name, row.mcc,
                   row.terminal_id, row.channel, row.country, row.latitude,
                   row.longitude)  # fmt: skip
