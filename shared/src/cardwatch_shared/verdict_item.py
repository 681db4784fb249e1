"""How a `Verdict` is stored as a DynamoDB item, shared by the scorer (writer) and the notifier.

Numbers are DynamoDB numbers (Decimal), timestamps ISO 8601 strings, `features` one compact JSON
string (a map of Decimals would cost more than the rest of the item to build; pydantic-core writes
it, four times faster than the json module). A feature whose input was missing (NaN) is written as
null, which JSON has for it, and read back absent, as items written before nulls have it;
attributes added later by other services (`notified_at`, `alert_status`) are ignored when the
verdict is read back.

The scorer builds its verdicts straight from what it judged (`cardwatch_scorer.verdict_record`),
not through a `Verdict`: every input is validated already (the transaction, the verified manifest,
reason codes and rule names), and validating each verdict again, then dumping it, cost a third of
its batch path. A contract test holds its items equal to `to_item` of the validated `Verdict` of
the same inputs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from pydantic_core import to_json, to_jsonable_python

from cardwatch_shared.contracts import (
    Decision,
    ReasonCode,
    Verdict,
)

VERDICT_FIELDS = frozenset(Verdict.model_fields)
_NOT_DUMPED: set[str] = {"features"}

# The event filter of the notifier's stream mapping: only new fraud verdicts invoke it.
FRAUD_INSERT_FILTER: dict[str, Any] = {
    "eventName": ["INSERT"],
    "dynamodb": {"NewImage": {"is_fraud": {"BOOL": [True]}}},
}


def to_item(verdict: Verdict) -> dict[str, Any]:
    """The item (boto3 resource / TypeSerializer types) for `verdict`."""
    item: dict[str, Any] = verdict.model_dump(mode="json", exclude=_NOT_DUMPED)
    item["score"] = Decimal(repr(verdict.score))
    item["threshold"] = Decimal(repr(verdict.threshold))
    item["amount"] = verdict.amount
    item["features"] = features_text(verdict.features)
    return item


class Judgement(NamedTuple):
    """What the scorer concluded of one transaction (score clamped to [0, 1])."""

    score: float
    decision: Decision
    reason_codes: list[ReasonCode]
    rules_fired: list[str]


@dataclass(frozen=True)
class VerdictStamp:
    """What every verdict of one batch shares: the model, the rule set, the scoring time."""

    threshold: float
    model_version: str
    rule_set_version: str | None
    scored_at: datetime
    threshold_number: Decimal = field(init=False)
    scored_at_text: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold_number", Decimal(repr(self.threshold)))
        object.__setattr__(self, "scored_at_text", to_jsonable_python(self.scored_at))


def features_text(features: Mapping[str, float]) -> str:
    """The item's `features`: one JSON object, NaN (and infinities) written as null."""
    return to_json(features, inf_nan_mode="null").decode()


def features_texts(names: Sequence[str], table: list[list[float]]) -> list[str]:
    """`features_text` of each row of a batch (its values in `names`' order), text for text,
    with one conversion for all the batch's numbers."""
    if not names or not table:
        return ["{}"] * len(table)
    rows = to_json(table, inf_nan_mode="null").decode()[2:-2].split("],[")
    template = _template(tuple(names))
    return [template % tuple(row.split(",")) for row in rows]


@cache
def _template(names: tuple[str, ...]) -> str:
    """The JSON object of one row, its numbers left as `%s`."""
    keys = [to_json(name).decode().replace("%", "%%") for name in names]
    return "{" + ",".join(f"{key}:%s" for key in keys) + "}"


def from_item(item: dict[str, Any]) -> Verdict:
    """The verdict in `item`, ignoring attributes that are not part of the contract."""
    fields = {key: value for key, value in item.items() if key in VERDICT_FIELDS}
    for name in ("score", "threshold"):
        if isinstance(fields.get(name), Decimal):
            fields[name] = float(fields[name])
    if isinstance(fields.get("features"), str):
        read = json.loads(fields["features"]).items()
        fields["features"] = {name: value for name, value in read if value is not None}
    if isinstance(fields.get("source_row"), Decimal):
        fields["source_row"] = int(fields["source_row"])
    return Verdict.model_validate(fields)
