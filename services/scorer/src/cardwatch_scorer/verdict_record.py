"""A verdict as the scorer holds it from judgement to storage: one frozen struct a verdict.

The stored form is the shared item (`cardwatch_shared.verdict_item.to_item`, a dict the notifier
reads back). The scorer keeps its verdicts as structs until the store writes them
(`attributes`): a dict of 26 keys a verdict, built and freed, cost 7% of a batch's compute path
(1.5 µs a record of 21 at 1,000 records), a struct a quarter of that. A contract test holds
`item()` equal to `to_item` of the validated `Verdict` of the same inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import msgspec
from pydantic_core import to_json, to_jsonable_python

from cardwatch_shared.attribute_values import attribute_value
from cardwatch_shared.contracts import Channel, Decision, ReasonCode, TransactionFields, Verdict
from cardwatch_shared.verdict_item import Judgement, VerdictStamp, to_item

_CHANNEL_TEXT = {channel: channel.value for channel in Channel}  # a lookup, not enum's property
_DECISION_TEXT = {decision: decision.value for decision in Decision}


# gc=False: a record holds strings, numbers and lists of reason codes, never itself: no cycle.
class VerdictRecord(msgspec.Struct, frozen=True, gc=False):
    """A verdict's attributes as its item holds them (same names and values), the reason codes
    as the contract's models until the item is made."""

    schema_version: str
    transaction_id: str
    card_token: str
    last4: str
    amount: Decimal
    currency: str
    merchant_id: str
    merchant_name: str
    mcc: str
    terminal_id: str
    channel: str
    country: str
    score: Decimal
    threshold: Decimal
    is_fraud: bool
    decision: str
    model_version: str
    reason_codes: list[ReasonCode]
    rules_fired: list[str]
    rule_set_version: str | None
    features: str
    event_time: str
    ingested_at: str
    scored_at: str
    source_key: str
    source_row: int

    def item(self) -> dict[str, Any]:
        """The DynamoDB item (boto3 resource types), as `to_item` writes it."""
        item = msgspec.structs.asdict(self)
        item["reason_codes"] = [{"code": c.code, "text": c.text} for c in self.reason_codes]
        item["rules_fired"] = list(self.rules_fired)
        return item

    def attributes(self) -> dict[str, dict[str, Any]]:
        """The item's DynamoDB attribute values (`attribute_map` of `item()`), made from the
        record's fields without the item."""
        values = msgspec.structs.astuple(self)
        out = {name: attribute_value(v) for name, v in zip(_PLAIN, values, strict=True) if name}
        out["reason_codes"] = {"L": [_reason_value(code) for code in self.reason_codes]}
        return out

    @classmethod
    def of(cls, verdict: Verdict) -> VerdictRecord:
        """The record of a validated verdict (tests and tools; the scorer builds its own)."""
        item = to_item(verdict)
        item["reason_codes"] = list(verdict.reason_codes)
        return cls(**item)


_PLAIN = tuple(  # the fields `attribute_value` converts; "" for the one it cannot
    "" if name == "reason_codes" else name for name in VerdictRecord.__struct_fields__
)


def _reason_value(code: ReasonCode) -> dict[str, Any]:
    return {"M": {"code": {"S": code.code}, "text": {"S": code.text}}}


def verdict_record(
    tx: TransactionFields, judged: Judgement, features: str, stamp: VerdictStamp
) -> VerdictRecord:
    """The record of the verdict on `tx`; `features` as `features_text` writes them."""
    return verdict_records([(tx, judged, features)], stamp)[0]


def verdict_records(
    verdicts: Sequence[tuple[TransactionFields, Judgement, str]],
    stamp: VerdictStamp,
    times: Sequence[tuple[str, str]] | None = None,
) -> list[VerdictRecord]:
    """The record of each (transaction, judgement, features as `features_text` writes them) of a
    batch; `times`: each transaction's event and ingest times as pydantic-core writes them, when
    the caller holds that text already. The scores and times are converted in one call each:
    pydantic-core writes floats as `repr` does, and a call per value cost more than the
    conversion. A judgement's lists are the record's: neither is changed after judging."""
    if not verdicts:
        return []
    scores = to_json([judged.score for _, judged, _ in verdicts]).decode()[1:-1].split(",")
    if times is None:
        times = to_jsonable_python([(tx.event_time, tx.ingested_at) for tx, _, _ in verdicts])
    block, threshold = Decision.BLOCK, stamp.threshold_number
    model, rule_set, scored_at = stamp.model_version, stamp.rule_set_version, stamp.scored_at_text
    # fmt: off
    return [
        VerdictRecord(
            "1.0", tx.transaction_id, tx.card_token, tx.last4, tx.amount, tx.currency,
            tx.merchant_id, tx.merchant_name, tx.mcc, tx.terminal_id, _CHANNEL_TEXT[tx.channel],
            tx.country, Decimal(score), threshold, judged.decision is block,
            _DECISION_TEXT[judged.decision], model, judged.reason_codes, judged.rules_fired,
            rule_set, features, event_time, ingested_at, scored_at, tx.source.key,
            tx.source.row_number,
        )
        for (tx, judged, features), score, (event_time, ingested_at)
        in zip(verdicts, scores, times, strict=True)
    ]
    # fmt: on
