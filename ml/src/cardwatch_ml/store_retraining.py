"""Retraining from the store as one step: export what the stack saw with the labels known at a
cut-off, train a candidate, compare it with the live model on the recent window, and publish the
candidate (not live) beside its report. `cardwatch model train --from-store` and the feedback
demo's weekly retraining both run it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cardwatch_ml.bundle import Bundle, BundleStore
from cardwatch_ml.model_comparison import ModelComparison
from cardwatch_ml.retraining import retrain
from cardwatch_ml.store_export import StoreHandles, export
from cardwatch_ml.training import TrainConfig


@dataclass(frozen=True)
class StoreRetraining:
    """What one retraining exported, and the candidate it published with its report."""

    exported: int
    labelled_fraud: int
    candidate: Bundle
    comparison: ModelComparison


class CannotRetrainError(ValueError):
    """Too little history or no labelled fraud yet: nothing was published."""

    def __init__(self, reason: str, exported: int, labelled_fraud: int) -> None:
        super().__init__(reason)
        self.exported, self.labelled_fraud = exported, labelled_fraud


def retrain_from_store(
    handles: StoreHandles, cutoff: datetime, cfg: TrainConfig, window_days: int = 7
) -> StoreRetraining:
    """Train and publish a candidate from the store; raise CannotRetrainError when the data cannot
    make one."""
    frame = export(handles.dynamodb, handles.verdicts_table, handles.labels_table, cutoff)
    frauds = int(frame["label"].sum())
    store = BundleStore(handles.s3, handles.models_bucket)
    pointer = store.current()
    current = store.fetch(pointer.version) if pointer else None
    try:
        candidate, comparison = retrain(frame, cutoff, current, cfg, window_days)
    except ValueError as error:
        raise CannotRetrainError(str(error), frame.height, frauds) from error
    store.publish(candidate)
    store.save_comparison(comparison)
    return StoreRetraining(frame.height, frauds, candidate, comparison)
