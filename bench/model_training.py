"""Model benchmark: training time on the handbook data's allowed history, and the handbook table's
figures beside the best published ones. Skipped when the data set is not there."""

from __future__ import annotations

import time
from pathlib import Path

from bench.results_table import Measurement

DEFAULT_HANDBOOK = (
    Path(__file__).resolve().parents[2] / "shared/datasets/handbook/transactions.parquet"
)
BEST_PUBLISHED = {"auc_roc": 0.879, "average_precision": 0.687, "card_precision_at_100": 0.305}


def measure(path: Path = DEFAULT_HANDBOOK) -> list[Measurement]:
    """Fit time (beside the feature computation) and AUC / AP / CP@100 (beside the published)."""
    if not path.exists():
        return []
    from cardwatch_ml import datasets, handbook
    from cardwatch_ml.training import with_features

    frame = datasets.handbook(path)
    started = time.perf_counter()
    with_features(frame)
    features_s = time.perf_counter() - started
    result = handbook.run(frame)
    rows = f"{result.train_rows:,} rows"
    out = [
        Measurement(
            f"handbook training time ({rows})",
            result.fit_seconds,
            "s",
            "feature computation, all rows",
            features_s,
        )
    ]
    ours = {
        "auc_roc": result.auc_roc,
        "average_precision": result.average_precision,
        "card_precision_at_100": result.card_precision_at_100,
    }
    for name, value in ours.items():
        out.append(
            Measurement(f"handbook {name}", value, "score", "best published", BEST_PUBLISHED[name])
        )
    return out
