"""The contracts between cardwatch's services, each versioned and published as a JSON Schema."""

from cardwatch_shared.contracts.base import Contract
from cardwatch_shared.contracts.fraud_alert import FraudAlert
from cardwatch_shared.contracts.ingest_report import FileStatus, IngestReport
from cardwatch_shared.contracts.label import Label, LabelSource, LabelValue
from cardwatch_shared.contracts.rejected_row import RejectedRow
from cardwatch_shared.contracts.rule_set import ListEntry, ListKind, Rule, RuleSet
from cardwatch_shared.contracts.transaction import (
    SourceFields,
    Transaction,
    TransactionFields,
    TransactionSource,
)
from cardwatch_shared.contracts.transaction_row import Channel, TransactionRow
from cardwatch_shared.contracts.verdict import Decision, ReasonCode, Verdict

PUBLISHED: tuple[type[Contract], ...] = (
    TransactionRow,
    Transaction,
    Verdict,
    FraudAlert,
    IngestReport,
    RejectedRow,
    RuleSet,
    Label,
)

__all__ = [
    "PUBLISHED",
    "Channel",
    "Contract",
    "Decision",
    "FileStatus",
    "FraudAlert",
    "IngestReport",
    "Label",
    "LabelSource",
    "LabelValue",
    "ListEntry",
    "ListKind",
    "ReasonCode",
    "RejectedRow",
    "Rule",
    "RuleSet",
    "SourceFields",
    "Transaction",
    "TransactionFields",
    "TransactionRow",
    "TransactionSource",
    "Verdict",
]
