"""Permutation importance on a sample: the drop in average precision when a feature is shuffled."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score

SAMPLE_ROWS = 20_000


def permutation_importance(
    estimator: Any, data: pl.DataFrame, names: list[str], seed: int = 0
) -> dict[str, float]:
    """Importance of each feature on up to SAMPLE_ROWS rows (frauds kept)."""
    rng = np.random.default_rng(seed)
    frauds = data.filter(pl.col("label") == 1)
    legit = data.filter(pl.col("label") == 0)
    sample = pl.concat([frauds, legit.sample(min(legit.height, SAMPLE_ROWS), seed=seed)])
    x, y = sample.select(names).to_numpy(), sample["label"].to_numpy()
    if y.sum() == 0:
        return dict.fromkeys(names, 0.0)
    base = average_precision_score(y, estimator.predict_proba(x)[:, 1])
    out = {}
    for i, name in enumerate(names):
        shuffled = x.copy()
        shuffled[:, i] = rng.permutation(shuffled[:, i])
        out[name] = float(
            base - average_precision_score(y, estimator.predict_proba(shuffled)[:, 1])
        )
    return out
