"""`Transaction`: what ingest puts on Kinesis. No card number: a keyed token and the last four."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Literal, Protocol

from pydantic import AwareDatetime, Field

from cardwatch_shared.contracts.base import Contract
from cardwatch_shared.contracts.transaction_row import Channel

TOKEN_PATTERN = r"^[0-9a-f]{64}$"  # noqa: S105 - a regex for the HMAC token, not a secret


class TransactionSource(Contract):
    """Where a transaction came from, so any verdict leads back to its file and row."""

    SCHEMA_NAME: ClassVar[str] = "transaction_source"
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    bucket: str = Field(min_length=1)
    key: str = Field(min_length=1)
    row_number: int = Field(ge=1, description="1-based data row, the header not counted")
    upload_id: str = Field(min_length=1, description="bucket/key@etag-or-version of the upload")


class Transaction(Contract):
    """A validated, tokenised transaction as it travels on the stream."""

    SCHEMA_NAME: ClassVar[str] = "transaction"
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    schema_version: Literal["1.0"] = "1.0"
    transaction_id: str = Field(min_length=1, max_length=64)
    card_token: str = Field(pattern=TOKEN_PATTERN, description="HMAC-SHA256 of the card number")
    last4: str = Field(pattern=r"^\d{4}$")
    amount: Decimal = Field(gt=0, description="decimal amount in the currency's major unit")
    amount_minor: int = Field(gt=0, description="amount in the currency's minor unit")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    event_time: AwareDatetime = Field(description="when the card was used, UTC")
    merchant_id: str
    merchant_name: str
    mcc: str = Field(pattern=r"^\d{4}$")
    terminal_id: str
    channel: Channel
    country: str = Field(pattern=r"^[A-Z]{2}$")
    latitude: float | None = None
    longitude: float | None = None
    ingested_at: AwareDatetime
    source: TransactionSource


class SourceFields(Protocol):
    """What a reader of the stream holds of a transaction's source."""

    @property
    def bucket(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def row_number(self) -> int: ...
    @property
    def upload_id(self) -> str: ...


class TransactionFields(Protocol):
    """A `Transaction`'s fields as any reader of the stream holds them: the validated model, or a
    faster reader's object that a parity test holds equal to it (the scorer's
    `StreamTransaction`)."""

    @property
    def schema_version(self) -> str: ...
    @property
    def transaction_id(self) -> str: ...
    @property
    def card_token(self) -> str: ...
    @property
    def last4(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def amount_minor(self) -> int: ...
    @property
    def currency(self) -> str: ...
    @property
    def event_time(self) -> datetime: ...
    @property
    def merchant_id(self) -> str: ...
    @property
    def merchant_name(self) -> str: ...
    @property
    def mcc(self) -> str: ...
    @property
    def terminal_id(self) -> str: ...
    @property
    def channel(self) -> Channel: ...
    @property
    def country(self) -> str: ...
    @property
    def latitude(self) -> float | None: ...
    @property
    def longitude(self) -> float | None: ...
    @property
    def ingested_at(self) -> datetime: ...
    @property
    def source(self) -> SourceFields: ...
