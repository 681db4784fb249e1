"""Labels in DynamoDB: one item per transaction in the labels table, and the fraud counts of the
transaction's terminal and card on its event day (`f_<day>` on the terminal's item and on the
card's risk item in the state table) moved in the same transaction, so a label is counted exactly
once however often it is delivered.

The scorer's online terminal-risk features read those counts with the training's label delay
(`terminal_features`), so a label changes risk only for transactions `label_delay_days` or more
after the one it labels. A later `known_at` replaces a label (legit after fraud takes the count
back); an older or equal one changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from botocore.exceptions import ClientError

from cardwatch_shared.contracts.label import Label, LabelSource, LabelValue
from cardwatch_shared.features.spec import SECONDS_PER_DAY, SPEC
from cardwatch_shared.retry_pause import retry_pause
from cardwatch_shared.review_queue import REVIEW_ATTRIBUTE
from cardwatch_shared.state_keys import card_risk_key, terminal_key

MAX_ATTEMPTS = 6


class LabelOutcome(StrEnum):
    """What recording a label did."""

    APPLIED = "applied"  # stored; the terminal's fraud count moved if the outcome changed
    UNCHANGED = "unchanged"  # a label as new or newer is already stored
    UNKNOWN_TRANSACTION = "unknown_transaction"  # no verdict: nothing to label


@dataclass(frozen=True)
class _Scored:
    terminal_id: str
    card_token: str
    day: int


class LabelStore:
    """Labels table + the terminals' fraud counts (state table), read against the verdicts."""

    def __init__(
        self,
        dynamodb: Any,
        labels_table: str,
        state_table: str,
        verdicts_table: str,
        *,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db = dynamodb
        self._labels, self._state, self._verdicts = labels_table, state_table, verdicts_table
        self._pause = pause

    def record(self, label: Label) -> LabelOutcome:
        """Store `label` and move its terminal's fraud count, once. A cancelled transaction (a
        race on the label, or a conflict with the scorer's writes to the terminal) is retried
        after a growing pause."""
        scored = self._scored(label.transaction_id)
        if scored is None:
            return LabelOutcome.UNKNOWN_TRANSACTION
        for attempt in range(MAX_ATTEMPTS):
            current = self.get(label.transaction_id)
            if current is not None and current.known_at >= label.known_at:
                return LabelOutcome.UNCHANGED
            if self._write(label, current, scored):
                return LabelOutcome.APPLIED
            self._pause(retry_pause(attempt))
        raise RuntimeError(f"label of {label.transaction_id}: {MAX_ATTEMPTS} concurrent writes")

    def get(self, transaction_id: str) -> Label | None:
        """The stored label of a transaction, if any."""
        item = self._db.get_item(
            TableName=self._labels,
            Key={"transaction_id": {"S": transaction_id}},
            ConsistentRead=True,
        ).get("Item")
        return None if item is None else _label(item)

    def _scored(self, transaction_id: str) -> _Scored | None:
        item = self._db.get_item(
            TableName=self._verdicts,
            Key={"transaction_id": {"S": transaction_id}},
            ProjectionExpression="terminal_id, card_token, event_time",
        ).get("Item")
        if item is None:
            return None
        moment = datetime.fromisoformat(item["event_time"]["S"].replace("Z", "+00:00"))
        day = int(moment.timestamp()) // SECONDS_PER_DAY
        return _Scored(item["terminal_id"]["S"], item["card_token"]["S"], day)

    def _write(self, label: Label, current: Label | None, scored: _Scored) -> bool:
        """One DynamoDB transaction: the label (if `current` is still stored) and the count.

        False when another writer got there first.
        """
        put: dict[str, Any] = {
            "TableName": self._labels,
            "Item": _item(label, scored),
            "ConditionExpression": "attribute_not_exists(transaction_id)",
        }
        if current is not None:
            put["ConditionExpression"] = "known_at = :known"
            put["ExpressionAttributeValues"] = {":known": {"S": current.known_at.isoformat()}}
        writes: list[dict[str, Any]] = [{"Put": put}, {"Update": self._dequeue(label)}]
        delta = int(label.is_fraud) - int(current is not None and current.is_fraud)
        if delta and _counts_kept(scored.day, label.known_at):
            writes += [
                {"Update": self._count(key, scored.day, delta)}
                for key in (terminal_key(scored.terminal_id), card_risk_key(scored.card_token))
            ]
        try:
            self._db.transact_write_items(TransactItems=writes)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TransactionCanceledException":
                return False
            raise
        return True

    def _dequeue(self, label: Label) -> dict[str, Any]:
        """Take the labelled verdict off the review queue: its outcome is known."""
        return {
            "TableName": self._verdicts,
            "Key": {"transaction_id": {"S": label.transaction_id}},
            "UpdateExpression": "REMOVE #queue",
            "ConditionExpression": "attribute_exists(transaction_id)",
            "ExpressionAttributeNames": {"#queue": REVIEW_ATTRIBUTE},
        }

    def _count(self, pk: str, day: int, delta: int) -> dict[str, Any]:
        return {
            "TableName": self._state,
            "Key": {"pk": {"S": pk}},
            "UpdateExpression": "ADD #f :delta",
            "ExpressionAttributeNames": {"#f": f"f_{day}"},
            "ExpressionAttributeValues": {":delta": {"N": str(delta)}},
        }


def _counts_kept(day: int, known_at: datetime) -> bool:
    """A day bucket older than the state window when the label became known is one the scorer
    has dropped: no use counting there. The label's own time, not the clock, so that a replay of
    old outcomes (or a simulation of past days) counts what it would have counted then."""
    return day > int(known_at.timestamp()) // SECONDS_PER_DAY - SPEC.state_days


def _item(label: Label, scored: _Scored) -> dict[str, Any]:
    return {
        "transaction_id": {"S": label.transaction_id},
        "label": {"S": label.label.value},
        "source": {"S": label.source.value},
        "known_at": {"S": label.known_at.isoformat()},
        "terminal_id": {"S": scored.terminal_id},
        "event_day": {"N": str(scored.day)},
    }


def _label(item: dict[str, Any]) -> Label:
    return Label(
        transaction_id=item["transaction_id"]["S"],
        label=LabelValue(item["label"]["S"]),
        source=LabelSource(item["source"]["S"]),
        known_at=datetime.fromisoformat(item["known_at"]["S"]),
    )
