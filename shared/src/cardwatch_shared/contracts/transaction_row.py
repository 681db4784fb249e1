"""`TransactionRow`: one CSV row as a person or a system writes it (the upload format).

Every field is parsed from text with a message that names the problem; the card number is checked
(length, Luhn) but never echoed back in an error.
"""

from __future__ import annotations

import math
import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, ClassVar

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    Field,
    SecretStr,
    StringConstraints,
    field_validator,
    model_validator,
)

from cardwatch_shared.card_number import CardNumberError, validate
from cardwatch_shared.contracts.base import Contract
from cardwatch_shared.contracts.currency import MINOR_UNITS
from cardwatch_shared.scrubber import contains_card_number

FORBIDDEN_COLUMNS = frozenset(
    {"cvv", "cvc", "cvv2", "cvc2", "cid", "csc", "pin", "track", "track1", "track2", "track_data"}
)
REQUIRED_COLUMNS = (
    "card_number",
    "amount",
    "currency",
    "timestamp",
    "merchant_id",
    "merchant_name",
    "mcc",
    "terminal_id",
    "channel",
    "country",
)
OPTIONAL_COLUMNS = ("transaction_id", "latitude", "longitude")
ALL_COLUMNS = ("transaction_id", *REQUIRED_COLUMNS, "latitude", "longitude")
MAX_AMOUNT = Decimal("1000000")
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)


class Channel(StrEnum):
    """How the card was used: physically at a terminal or remotely (e-commerce, phone)."""

    CARD_PRESENT = "card_present"
    CARD_NOT_PRESENT = "card_not_present"


@lru_cache(maxsize=256)
def sensitive_columns(columns: frozenset[Any]) -> list[str]:
    """Columns that carry sensitive authentication data (cached: a file has one header)."""
    return sorted(str(c) for c in columns if str(c).strip().lower() in FORBIDDEN_COLUMNS)


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


TransactionId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class TransactionRow(Contract):
    """One row of an upload CSV, validated. Holds the full card number: ingest only."""

    SCHEMA_NAME: ClassVar[str] = "transaction_row"
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    model_config = Contract.model_config | {"extra": "ignore", "hide_input_in_errors": True}

    transaction_id: Annotated[TransactionId | None, BeforeValidator(_blank_to_none)] = None
    card_number: SecretStr = Field(description="13-19 digits, Luhn-valid; spaces/dashes allowed")
    amount: Decimal = Field(description="positive, at most the currency's minor units")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, upper case")
    timestamp: AwareDatetime = Field(description="ISO 8601 with a UTC offset")
    merchant_id: str = Field(min_length=1, max_length=64)
    merchant_name: str = Field(min_length=1, max_length=128)
    mcc: str = Field(pattern=r"^\d{4}$", description="ISO 18245 merchant category code")
    terminal_id: str = Field(min_length=1, max_length=64)
    channel: Channel
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    latitude: Annotated[Latitude | None, BeforeValidator(_blank_to_none)] = None
    longitude: Annotated[Longitude | None, BeforeValidator(_blank_to_none)] = None

    @model_validator(mode="before")
    @classmethod
    def _refuse_sensitive_columns(cls, data: Any) -> Any:
        if isinstance(data, dict):
            refused = sensitive_columns(frozenset(data))
            if refused:
                raise ValueError(f"sensitive authentication data is refused: {', '.join(refused)}")
        return data

    @field_validator("card_number", mode="before")
    @classmethod
    def _check_card(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError("card number must be text")
        try:
            return validate(value)
        except CardNumberError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("amount", mode="before")
    @classmethod
    def _parse_amount(cls, value: Any) -> Decimal:
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("amount is not a number") from None
        if not amount.is_finite():
            raise ValueError("amount must be finite")
        if amount <= 0:
            raise ValueError("amount must be positive")
        if amount > MAX_AMOUNT:
            raise ValueError(f"amount exceeds the limit of {MAX_AMOUNT}")
        return amount

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if value not in MINOR_UNITS:
            raise ValueError(f"currency {value} is not supported")
        return value

    @field_validator("timestamp")
    @classmethod
    def _plausible_time(cls, value: datetime) -> datetime:
        value = value.astimezone(UTC)
        if value < EARLIEST:
            raise ValueError("timestamp is before 1970")
        if value > datetime.now(UTC) + FUTURE_TOLERANCE:
            raise ValueError("timestamp is in the future")
        return value

    @field_validator("transaction_id", "merchant_id", "merchant_name", "terminal_id")
    @classmethod
    def _no_card_number_in_text(cls, value: str | None) -> str | None:
        if value is not None and contains_card_number(value):
            raise ValueError("looks like a card number; card numbers belong in card_number only")
        return value

    @field_validator("merchant_id", "merchant_name", "terminal_id")
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        control = next((c for c in value if unicodedata.category(c) == "Cc"), None)
        if control is not None:
            raise ValueError(f"contains a control character (U+{ord(control):04X})")
        return value

    @field_validator("latitude", "longitude")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("coordinate must be finite")
        return value

    @model_validator(mode="after")
    def _amount_fits_currency(self) -> TransactionRow:
        exponent = self.amount.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if places > MINOR_UNITS[self.currency]:
            raise ValueError(
                f"amount has {places} decimal places; {self.currency} allows "
                f"{MINOR_UNITS[self.currency]}"
            )
        return self

    @property
    def card_digits(self) -> str:
        """The normalised card number. Ingest tokenises it and lets it go."""
        return self.card_number.get_secret_value()
