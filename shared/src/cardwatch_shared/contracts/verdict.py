"""`Verdict`: what the scorer stores per transaction, and what the notifier reads."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from cardwatch_shared.contracts.base import Contract
from cardwatch_shared.contracts.transaction import TOKEN_PATTERN
from cardwatch_shared.contracts.transaction_row import Channel

MAX_REASONS = 3
MAX_RULES_FIRED = 64


class Decision(StrEnum):
    """The final decision after model, rules and lists."""

    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"


class ReasonCode(Contract):
    """One human-readable reason behind a score, e.g. `amount 6.2× this card's 30-day average`."""

    SCHEMA_NAME: ClassVar[str] = "reason_code"
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    code: str = Field(pattern=r"^[a-z0-9_]+$")
    text: str = Field(min_length=1, max_length=200)


class Verdict(Contract):
    """The scorer's judgement of one transaction, stored once per `transaction_id`."""

    SCHEMA_NAME: ClassVar[str] = "verdict"
    SCHEMA_VERSION: ClassVar[str] = "1.1"

    schema_version: Literal["1.0"] = "1.0"
    transaction_id: str = Field(min_length=1, max_length=64)
    card_token: str = Field(pattern=TOKEN_PATTERN)
    last4: str = Field(pattern=r"^\d{4}$")
    amount: Decimal = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    merchant_id: str
    merchant_name: str
    mcc: str = Field(pattern=r"^\d{4}$")
    terminal_id: str
    channel: Channel
    country: str = Field(pattern=r"^[A-Z]{2}$")
    score: float = Field(ge=0, le=1)
    threshold: float = Field(ge=0, le=1)
    is_fraud: bool
    decision: Decision
    model_version: str = Field(min_length=1)
    reason_codes: list[ReasonCode] = Field(default_factory=list, max_length=MAX_REASONS)
    rules_fired: list[str] = Field(
        default_factory=list,
        max_length=MAX_RULES_FIRED,
        description="rules and list entries that matched, the deciding one first (since 1.1)",
    )
    rule_set_version: str | None = Field(default=None, description="live rule set (since 1.1)")
    features: dict[str, float] = Field(
        default_factory=dict,
        description="the model's inputs that were present, for backtests (since 1.1)",
    )
    event_time: AwareDatetime
    ingested_at: AwareDatetime
    scored_at: AwareDatetime
    source_key: str = Field(description="S3 key of the upload the transaction came in")
    source_row: int = Field(ge=1)
