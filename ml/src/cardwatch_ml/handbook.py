"""The Fraud Detection Handbook's evaluation protocol (chapter 3) on its simulated data set.

Test week 2018-08-08..14 after a seven-day delay; cards known compromised before each test day
(minus the delay) are removed from that day; the model may train on any day before the delay
period, never on the test week or the scenario column, and terminal risk uses only labels at least
seven days old (the feature spec guarantees it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from cardwatch_ml.evaluation import metrics
from cardwatch_ml.training import feature_names, fit_candidate, with_features
from cardwatch_shared.features.spec import SECONDS_PER_DAY

TRAIN_WEEK_START = datetime(2018, 7, 25, tzinfo=UTC)
DELAY_START = datetime(2018, 8, 1, tzinfo=UTC)
TEST_START, TEST_DAYS, DELAY_DAYS = datetime(2018, 8, 8, tzinfo=UTC), 7, 7
HISTORY_START = datetime(2018, 4, 8, tzinfo=UTC)  # after a week of warm-up for the windows
PUBLISHED = (
    ("decision tree, depth 2", 0.763, 0.496, 0.241),
    ("logistic regression", 0.871, 0.606, 0.291),
    ("random forest", 0.867, 0.658, 0.287),
    ("XGBoost", 0.862, 0.639, 0.273),
    ("XGBoost, tuned (ch. 5)", 0.869, 0.687, 0.303),
    ("balanced bagging (ch. 6)", 0.879, 0.680, 0.305),
    ("feed-forward network (ch. 7)", 0.876, 0.675, 0.303),
)


@dataclass
class BenchmarkResult:
    """Our figures on the test week, the test set itself and the training cost."""

    auc_roc: float
    average_precision: float
    card_precision_at_100: float
    test_rows: int
    test_frauds: int
    train_rows: int
    fit_seconds: float
    scored: pl.DataFrame


def _day(moment: datetime) -> int:
    return int(moment.timestamp()) // SECONDS_PER_DAY


def test_set(data: pl.DataFrame) -> pl.DataFrame:
    """The test week with each day's known-compromised cards removed (handbook's rule)."""
    train_week = data.filter(
        pl.col("day").is_between(_day(TRAIN_WEEK_START), _day(DELAY_START) - 1)
    )
    known = set(train_week.filter(pl.col("label") == 1)["card_id"].to_list())
    days = []
    for offset in range(TEST_DAYS):
        day = _day(TEST_START) + offset
        newly = data.filter(
            (pl.col("day") == _day(DELAY_START) + offset - 1) & (pl.col("label") == 1)
        )
        known |= set(newly["card_id"].to_list())
        days.append(data.filter((pl.col("day") == day) & ~pl.col("card_id").is_in(list(known))))
    return pl.concat(days)


def training_rows(data: pl.DataFrame) -> pl.DataFrame:
    """The allowed history: from the warm-up's end to the day before the delay period."""
    return data.filter(pl.col("day").is_between(_day(HISTORY_START), _day(DELAY_START) - 1))


def run(
    frame: pl.DataFrame, model: str = "hist_gradient_boosting", seed: int = 42
) -> BenchmarkResult:
    """Train on the allowed history, score the test week, compute the handbook's metrics."""
    data = with_features(frame)
    names = feature_names(frame, with_labels=True)
    train = training_rows(data)
    test = test_set(data)
    started = time.perf_counter()
    estimator = fit_candidate(model, train, names, seed)
    fit_seconds = time.perf_counter() - started
    scores = estimator.predict_proba(test.select(names).to_numpy())[:, 1]
    scored = test.with_columns(pl.Series("score", scores))
    result = metrics(scored, threshold=0.5)
    return BenchmarkResult(
        result["auc_roc"],
        result["average_precision"],
        result["card_precision_at_100"],
        test.height,
        int(test["label"].sum()),
        train.height,
        fit_seconds,
        scored,
    )


def table(result: BenchmarkResult) -> str:
    """Markdown: the published results and ours, side by side."""
    lines = ["| model | AUC | AP | CP@100 |", "|---|---:|---:|---:|"]
    lines += [f"| {name} | {auc:.3f} | {ap:.3f} | {cp:.3f} |" for name, auc, ap, cp in PUBLISHED]
    lines.append(
        f"| **cardwatch** (HistGradientBoosting, spec features) | "
        f"**{result.auc_roc:.3f}** | **{result.average_precision:.3f}** | "
        f"**{result.card_precision_at_100:.3f}** |"
    )
    return "\n".join(lines)


def write_scores(result: BenchmarkResult, path: Path) -> None:
    """One row per test-week transaction: TRANSACTION_ID,score."""
    result.scored.select(
        pl.col("transaction_id").alias("TRANSACTION_ID"), pl.col("score")
    ).write_csv(path)
