"""The feedback demo's weekly retraining: what a team runs on a schedule. A candidate is trained
from the store (labels known at the cut-off), its threshold set for the alerts the analysts can
review (a fixed share of the traffic), and it goes live only if it beats the live model on the
recent window."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from cardwatch_local.pipeline_demo import scan_table
from cardwatch_local.stack import LocalStack
from cardwatch_ml.bundle import BundleStore
from cardwatch_ml.store_export import StoreHandles
from cardwatch_ml.store_retraining import CannotRetrainError, retrain_from_store
from cardwatch_ml.training import TrainConfig

WINDOW_DAYS = 7
REVIEW_SHARE = 0.05  # the analysts can review one transaction in twenty


@dataclass(frozen=True)
class RetrainStep:
    """One scheduled retraining: its cut-off, the data it had, and what became of the candidate."""

    cutoff: str
    transactions: int
    labelled_fraud: int
    alerts_per_day: float
    outcome: str  # promoted | kept the live model | cannot retrain
    candidate: str | None
    candidate_ap: float | None
    live_ap: float | None
    why: str

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def alert_budget_per_day(dynamodb: Any, verdicts_table: str, cutoff: datetime) -> float:
    """Alerts a day the analysts can review: REVIEW_SHARE of the last week's traffic (at least
    one). Fixed to the traffic, not to the live model's alerts, so that a model that alerts less
    does not shrink the budget of the next."""
    since = (cutoff - timedelta(days=WINDOW_DAYS)).strftime("%Y-%m-%dT%H:%M:%S")
    items = scan_table(
        dynamodb,
        verdicts_table,
        FilterExpression="event_time >= :since",
        ProjectionExpression="transaction_id",
        ExpressionAttributeValues={":since": {"S": since}},
    )
    return max(1.0, REVIEW_SHARE * len(items) / WINDOW_DAYS)


def retrain_step(stack: LocalStack, clients: dict[str, Any], cutoff: datetime) -> RetrainStep:
    """Retrain from the store at `cutoff`; promote the candidate only if it is better."""
    budget = alert_budget_per_day(clients["dynamodb"], stack.verdicts_table, cutoff)
    cfg = TrainConfig(
        candidates=("hist_gradient_boosting",), with_labels=True, alert_budget_per_day=budget
    )
    handles = StoreHandles(
        clients["dynamodb"],
        clients["s3"],
        stack.verdicts_table,
        stack.outputs["LabelsTableName"],
        stack.bucket,
    )
    day = cutoff.date().isoformat()
    try:
        done = retrain_from_store(handles, cutoff, cfg, WINDOW_DAYS)
    except CannotRetrainError as error:
        return RetrainStep(
            day, error.exported, error.labelled_fraud, budget, "cannot retrain", None, None, None,
            str(error),
        )  # fmt: skip
    comparison = done.comparison
    if comparison.better:
        BundleStore(clients["s3"], stack.bucket).promote(comparison.candidate_version)
    return RetrainStep(
        cutoff=day,
        transactions=done.exported,
        labelled_fraud=done.labelled_fraud,
        alerts_per_day=budget,
        outcome="promoted" if comparison.better else "kept the live model",
        candidate=comparison.candidate_version,
        candidate_ap=comparison.candidate.get("average_precision"),
        live_ap=(comparison.current or {}).get("average_precision"),
        why=comparison.why,
    )
