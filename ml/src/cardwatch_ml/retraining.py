"""Retraining from what the system saw: train a candidate on the history before a recent window,
score that window with the candidate and with the live model, and say which is better.

The window (the last `window_days` before the cut-off) is never trained on, so both models meet
it for the first time; the decision is on average precision (threshold-free), the other metrics
are shown beside it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import polars as pl

from cardwatch_ml.bundle import Bundle, build_bundle, load_estimator
from cardwatch_ml.datasets import fingerprint
from cardwatch_ml.evaluation import metrics
from cardwatch_ml.model_comparison import DECIDING_METRIC, ModelComparison
from cardwatch_ml.training import TrainConfig, train, with_features


def score_window(window: pl.DataFrame, bundle: Bundle) -> dict[str, float]:
    """A bundle's metrics on the window (features already computed over the whole history)."""
    missing = [n for n in bundle.manifest.feature_names if n not in window.columns]
    if missing:
        raise ValueError(f"{bundle.manifest.version} needs features the data lacks: {missing}")
    estimator = load_estimator(bundle)
    scores = estimator.predict_proba(window.select(bundle.manifest.feature_names).to_numpy())
    scored = window.with_columns(pl.Series("score", scores[:, 1]))
    return metrics(scored, bundle.manifest.threshold)


def _verdict(candidate: dict[str, float], current: dict[str, float] | None) -> tuple[bool, str]:
    mine = candidate[DECIDING_METRIC]
    if math.isnan(mine):
        return False, "no labelled fraud in the window: the models cannot be compared"
    if current is None:
        return True, "no live model: the candidate is the first"
    theirs = current[DECIDING_METRIC]
    if mine > theirs:
        return True, f"average precision {mine:.4f} > {theirs:.4f} of the live model"
    return False, f"average precision {mine:.4f} <= {theirs:.4f} of the live model"


def retrain(
    frame: pl.DataFrame,
    cutoff: datetime,
    current: Bundle | None,
    cfg: TrainConfig | None = None,
    window_days: int = 7,
) -> tuple[Bundle, ModelComparison]:
    """A candidate trained on the history before the window, and its comparison report."""
    window_start = cutoff - timedelta(days=window_days)
    history = frame.filter(pl.col("event_time") < window_start)
    model = train(history, cfg or TrainConfig())
    candidate = build_bundle(model, fingerprint(history))
    window = with_features(frame).filter(pl.col("event_time") >= window_start)
    mine = score_window(window, candidate)
    theirs = score_window(window, current) if current is not None else None
    better, why = _verdict(mine, theirs)
    return candidate, ModelComparison(
        candidate_version=candidate.manifest.version,
        current_version=current.manifest.version if current else None,
        cutoff=cutoff,
        window_start=window_start,
        window_transactions=window.height,
        window_frauds=int(window["label"].sum()),
        candidate=mine,
        current=theirs,
        better=better,
        why=why,
    )
