"""`FraudAlert`: the content of one alert email, rendered from a fraud verdict."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from cardwatch_shared.contracts.base import Contract


class FraudAlert(Contract):
    """What the admin is told about one fraud: enough to act, never a card number or token."""

    SCHEMA_NAME: ClassVar[str] = "fraud_alert"
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    schema_version: Literal["1.0"] = "1.0"
    transaction_id: str = Field(min_length=1, max_length=64)
    masked_card: str = Field(pattern=r"^•••• \d{4}$")
    amount: Decimal = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    merchant_id: str
    merchant_name: str
    event_time: AwareDatetime
    score: float = Field(ge=0, le=1)
    threshold: float = Field(ge=0, le=1)
    reasons: list[str] = Field(default_factory=list, max_length=3)
    model_version: str
    inspect_command: str
    label_command: str
