"""The review queue: verdicts an analyst should look at, kept in the verdicts table itself.

A queued verdict carries `review_queue = "pending"`; the table's sparse index `review-queue`
(that attribute, then `scored_at`) lists exactly those, oldest first. The scorer queues a verdict
when it is flagged fraud, sent to review by a rule, or scored in the grey zone below the
threshold; a label (an analyst's decision or a chargeback) takes it off the queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from boto3.dynamodb.types import TypeDeserializer

from cardwatch_shared.contracts.verdict import Decision, Verdict
from cardwatch_shared.verdict_item import from_item

REVIEW_INDEX = "review-queue"
REVIEW_ATTRIBUTE = "review_queue"
PENDING = "pending"
DEFAULT_GREY_ZONE = 0.5  # of the threshold: a score at half of it or more is worth a look
_deserialize = TypeDeserializer().deserialize


def grey_zone_floor(threshold: float, review_score_min: float | None) -> float:
    """The lowest score that queues a verdict: the setting, else half the model's threshold."""
    return review_score_min if review_score_min is not None else threshold * DEFAULT_GREY_ZONE


class Judged(Protocol):
    """What decides whether a verdict is queued: a `Verdict` has it, and so does the scorer's
    record of one."""

    @property
    def is_fraud(self) -> bool: ...
    @property
    def decision(self) -> str: ...
    @property
    def rules_fired(self) -> Sequence[str]: ...
    @property
    def threshold(self) -> float | Decimal: ...
    @property
    def score(self) -> float | Decimal: ...


def needs_review(verdict: Judged, review_score_min: float | None = None) -> bool:
    """Fraud, a rule's `review`, or a grey-zone score; never a transaction a rule allowed."""
    if verdict.is_fraud or verdict.decision == Decision.REVIEW:
        return True
    if verdict.rules_fired:  # an allow list or allow rule decided: trusted, not queued
        return False
    floor = grey_zone_floor(float(verdict.threshold), review_score_min)
    return float(verdict.score) >= floor


def queued(item: dict[str, Any]) -> dict[str, Any]:
    """`item` (a verdict's attributes) with the queue marker added."""
    return item | {REVIEW_ATTRIBUTE: PENDING}


class ReviewQueue:
    """The queue as the review screen reads it (a boto3 DynamoDB client underneath)."""

    def __init__(self, dynamodb: Any, verdicts_table: str) -> None:
        self._db, self._table = dynamodb, verdicts_table

    def pending(self, limit: int = 50) -> list[Verdict]:
        """The oldest `limit` verdicts waiting for a decision."""
        reply = self._db.query(
            TableName=self._table,
            IndexName=REVIEW_INDEX,
            KeyConditionExpression="#queue = :pending",
            ExpressionAttributeNames={"#queue": REVIEW_ATTRIBUTE},
            ExpressionAttributeValues={":pending": {"S": PENDING}},
            ScanIndexForward=True,
            Limit=limit,
        )
        return [from_item({k: _deserialize(v) for k, v in i.items()}) for i in reply["Items"]]
