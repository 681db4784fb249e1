"""`ModelComparison`: a retrained candidate beside the live model on the same recent window,
stored with the candidate (`models/<version>/comparison.json`); `promote` heeds it."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

DECIDING_METRIC: Literal["average_precision"] = "average_precision"
SHOWN_METRICS = (
    "average_precision",
    "auc_roc",
    "card_precision_at_100",
    "precision_at_threshold",
    "recall_at_threshold",
    "alerts_per_day",
    "transactions",
    "frauds",
)


class ModelComparison(BaseModel):
    """The side-by-side report of a candidate and the live model on the same recent window."""

    model_config = ConfigDict(frozen=True)
    FILE_NAME: ClassVar[str] = "comparison.json"

    candidate_version: str
    current_version: str | None
    cutoff: AwareDatetime
    window_start: AwareDatetime
    window_transactions: int
    window_frauds: int
    metric: Literal["average_precision"] = DECIDING_METRIC
    candidate: dict[str, float]
    current: dict[str, float] | None
    better: bool
    why: str
