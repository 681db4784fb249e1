"""How a `Verdict` is stored as a DynamoDB item, shared by the scorer (writer) and the notifier.

Numbers are DynamoDB numbers (Decimal), timestamps ISO 8601 strings, `features` one compact JSON
string (a map of Decimals would cost more than the rest of the item to build; pydantic-core writes
it, four times faster than the json module); attributes added later by other services
(`notified_at`, `alert_status`) are ignored when the verdict is read back.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from pydantic_core import to_json

from cardwatch_shared.contracts import Verdict

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
    features = verdict.features
    if not all(map(math.isfinite, features.values())):
        features = {k: v for k, v in features.items() if math.isfinite(v)}
    item["features"] = to_json(features).decode()
    return item


def from_item(item: dict[str, Any]) -> Verdict:
    """The verdict in `item`, ignoring attributes that are not part of the contract."""
    fields = {key: value for key, value in item.items() if key in VERDICT_FIELDS}
    for name in ("score", "threshold"):
        if isinstance(fields.get(name), Decimal):
            fields[name] = float(fields[name])
    if isinstance(fields.get("features"), str):
        fields["features"] = json.loads(fields["features"])
    if isinstance(fields.get("source_row"), Decimal):
        fields["source_row"] = int(fields["source_row"])
    return Verdict.model_validate(fields)
