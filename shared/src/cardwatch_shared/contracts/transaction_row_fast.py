"""A fast acceptance check for `TransactionRow`, for ingest's hot loop.

`accept_row` applies the same rules as the pydantic model, only stricter in format (canonical ISO
timestamps, plain decimals), and returns the parsed values, or None. None means "ask the model":
the caller then validates with `TransactionRow`, which is the authority and gives the reasons.
A parity test holds the two together: whatever this accepts, the model accepts with equal values.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from cardwatch_shared.card_number import (
    MAX_PAN_LENGTH,
    MIN_PAN_LENGTH,
    PAYMENT_MII,
    luhn_valid,
)
from cardwatch_shared.contracts.currency import MINOR_UNITS
from cardwatch_shared.contracts.transaction_row import (
    EARLIEST,
    MAX_AMOUNT,
    Channel,
    sensitive_columns,
)
from cardwatch_shared.scrubber import contains_card_number

_SEPARATORS = str.maketrans("", "", " -")
_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_MCC = re.compile(r"[0-9]{4}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_AMOUNT = re.compile(r"[0-9]{1,7}(\.[0-9]{1,3})?")
_COORD = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,10})?")
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_CHANNELS = {c.value: c for c in Channel}


class FastRow(NamedTuple):
    """The parsed values of an accepted row (the card number as bare digits)."""

    transaction_id: str | None
    card_digits: str
    amount: Decimal
    currency: str
    timestamp: datetime
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
    if currency not in MINOR_UNITS or not _AMOUNT.fullmatch(value):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    places = len(value) - value.index(".") - 1 if "." in value else 0
    if amount <= 0 or amount > MAX_AMOUNT or places > MINOR_UNITS[currency]:
        return None
    return amount


def _timestamp(value: str, latest: datetime) -> datetime | None:
    if not _TIMESTAMP.fullmatch(value):
        return None
    try:
        moment = datetime.fromisoformat(value).astimezone(UTC)
    except ValueError:
        return None
    return moment if EARLIEST <= moment <= latest else None


def _text(value: str, longest: int) -> bool:
    return 0 < len(value) <= longest and value.isprintable() and not contains_card_number(value)


def _coordinate(value: str, bound: float) -> tuple[bool, float | None]:
    if value == "":
        return True, None
    if not _COORD.fullmatch(value):
        return False, None
    number = float(value)
    return -bound <= number <= bound, number


def accept_row(raw: dict[str, str], latest: datetime) -> FastRow | None:
    """Parsed values when the row is plainly valid; None when the model must decide.

    `latest` is the latest accepted timestamp (now plus the tolerance), computed once per file.
    """
    if sensitive_columns(frozenset(raw)):
        return None
    try:
        tx_id, card = raw.get("transaction_id", ""), raw["card_number"]
        currency, merchant_id = raw["currency"], raw["merchant_id"]
        merchant_name, terminal_id = raw["merchant_name"], raw["terminal_id"]
        mcc, country = raw["mcc"], raw["country"]
        channel = _CHANNELS.get(raw["channel"])
        amount = _amount(raw["amount"], currency)
        moment = _timestamp(raw["timestamp"], latest)
    except (KeyError, TypeError):
        return None
    digits = _card(card)
    lat_ok, latitude = _coordinate(raw.get("latitude", ""), 90)
    lon_ok, longitude = _coordinate(raw.get("longitude", ""), 180)
    plain = (
        digits is not None
        and amount is not None
        and moment is not None
        and channel is not None
        and lat_ok
        and lon_ok
        and (tx_id == "" or (_ID.fullmatch(tx_id) is not None and _text(tx_id, 64)))
        and _MCC.fullmatch(mcc) is not None
        and _COUNTRY.fullmatch(country) is not None
        and _text(merchant_id, 64)
        and _text(merchant_name, 128)
        and _text(terminal_id, 64)
    )
    if not plain:
        return None
    assert digits is not None
    assert amount is not None
    assert moment is not None
    assert channel is not None
    return FastRow(tx_id or None, digits, amount, currency, moment, merchant_id, merchant_name,
                   mcc, terminal_id, channel, country, latitude, longitude)  # fmt: skip


def from_model(row: object) -> FastRow:
    """The same tuple from a validated `TransactionRow` (the slow path's result)."""
    from cardwatch_shared.contracts.transaction_row import TransactionRow

    assert isinstance(row, TransactionRow)
    return FastRow(row.transaction_id, row.card_digits, row.amount, row.currency,
                   row.timestamp.astimezone(UTC), row.merchant_id, row.merchant_name, row.mcc,
                   row.terminal_id, row.channel, row.country, row.latitude,
                   row.longitude)  # fmt: skip
