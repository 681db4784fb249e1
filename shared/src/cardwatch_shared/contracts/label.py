"""`Label`: what became known about a transaction after its verdict (a chargeback, an analyst's
decision). Labels feed the terminals' fraud-risk state and the next training set."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from cardwatch_shared.contracts.base import Contract
from cardwatch_shared.contracts.transaction_row import TransactionId


class LabelValue(StrEnum):
    """The outcome: the transaction was fraud, or it was legitimate."""

    FRAUD = "fraud"
    LEGIT = "legit"


class LabelSource(StrEnum):
    """Who said so: the card scheme's chargeback process or an analyst's review."""

    CHARGEBACK = "chargeback"
    ANALYST = "analyst"


class Label(Contract):
    """One label. The latest `known_at` of a transaction wins; an older one changes nothing."""

    SCHEMA_NAME: ClassVar[str] = "label"
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    schema_version: Literal["1.0"] = "1.0"
    transaction_id: TransactionId
    label: LabelValue
    source: LabelSource
    known_at: AwareDatetime = Field(description="when the outcome became known")

    @property
    def is_fraud(self) -> bool:
        """True for a fraud label."""
        return self.label is LabelValue.FRAUD
