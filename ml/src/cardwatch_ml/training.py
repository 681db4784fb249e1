"""Training: chronological split with the label delay, candidates compared on validation AP, and
a decision threshold chosen for a stated goal. Deterministic for a given seed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from cardwatch_ml.features_offline import compute_features
from cardwatch_shared.features.spec import SECONDS_PER_DAY, SPEC

CANDIDATES = ("logistic_regression", "random_forest", "hist_gradient_boosting")


@dataclass(frozen=True)
class TrainConfig:
    """Split, candidates and threshold goal of one training run."""

    seed: int = 42
    validation_days: int = 7
    warmup_days: int = 7
    candidates: tuple[str, ...] = CANDIDATES
    alert_budget_per_day: float | None = 100.0
    target_precision: float | None = None
    with_labels: bool = True


@dataclass
class TrainedModel:
    """The chosen estimator, its features, threshold and how the candidates compared."""

    estimator: Any
    name: str
    feature_names: list[str]
    threshold: float
    threshold_goal: str
    validation_metrics: dict[str, float]
    candidates: dict[str, float] = field(default_factory=dict)
    fit_seconds: float = 0.0
    train_rows: int = 0
    validation_scores: list[float] = field(default_factory=list)


def make_estimator(name: str, seed: int) -> Any:
    """A candidate; class imbalance handled by weights (trees in HGB see the raw rate).

    HGB's 200 trees at a learning rate of 0.09 score as well as 600 at 0.03 (docs/model.md,
    "Boosting rounds") and cost the scorer a third of the prediction time."""
    if name == "logistic_regression":
        return Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", add_indicator=True)),
                ("scale", StandardScaler()),
                ("model", LogisticRegression(C=0.1, class_weight="balanced", max_iter=2000)),
            ]
        )
    if name == "random_forest":
        return Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", add_indicator=True)),
                (
                    "model",
                    RandomForestClassifier(
                        n_estimators=150,
                        min_samples_leaf=5,
                        n_jobs=2,
                        class_weight="balanced_subsample",
                        random_state=seed,
                    ),
                ),
            ]
        )
    if name == "hist_gradient_boosting":
        return HistGradientBoostingClassifier(
            max_iter=200,
            learning_rate=0.09,
            max_leaf_nodes=63,
            l2_regularization=1.0,
            min_samples_leaf=50,
            early_stopping=False,
            random_state=seed,
        )
    raise ValueError(f"unknown model {name!r}; choose from {', '.join(CANDIDATES)}")


def with_features(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every feature column and a `day` column."""
    features = compute_features(frame)
    features = features.drop([c for c in features.columns if c in frame.columns])
    day = (frame["event_time"].dt.epoch("s") // SECONDS_PER_DAY).alias("day")
    return pl.concat([frame, features], how="horizontal").with_columns(day)


def feature_names(frame: pl.DataFrame, with_labels: bool) -> list[str]:
    """The spec's features this data can feed."""
    return list(
        SPEC.feature_names(with_labels=with_labels, with_channel="channel" in frame.columns)
    )


def split(data: pl.DataFrame, cfg: TrainConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Train on days whose labels are known before validation starts; validate on the last days."""
    if data.height == 0:
        raise ValueError("not enough history: no transactions to train on")
    days = data["day"].to_numpy()
    first, last = int(days.min()), int(days.max())
    val_start = last - cfg.validation_days + 1
    train_end = val_start - SPEC.label_delay_days - 1
    train = data.filter(pl.col("day").is_between(first + cfg.warmup_days, train_end))
    validation = data.filter(pl.col("day") >= val_start)
    if train.height == 0 or train["label"].sum() == 0:
        raise ValueError(
            f"not enough history: {last - first + 1} days; need warm-up ({cfg.warmup_days}), "
            f"training days with frauds, the label delay ({SPEC.label_delay_days}) and "
            f"validation ({cfg.validation_days})"
        )
    return train, validation


def choose_threshold(
    scores: np.ndarray, labels: np.ndarray, days: int, cfg: TrainConfig
) -> tuple[float, str]:
    """Threshold meeting the goal on validation: a target precision, or an alert budget."""
    order = np.sort(scores)[::-1]
    if cfg.target_precision is not None:
        ranked = labels[np.argsort(-scores, kind="stable")]
        precision = np.cumsum(ranked) / np.arange(1, len(ranked) + 1)
        ok = np.flatnonzero(precision >= cfg.target_precision)
        index = int(ok.max()) if len(ok) else 0
        return float(order[index]), f"precision >= {cfg.target_precision} on validation"
    budget = cfg.alert_budget_per_day or 100.0
    index = min(len(order) - 1, max(0, int(budget * days) - 1))
    return float(order[index]), f"{budget:g} alerts per day on validation"


def fit_candidate(name: str, train: pl.DataFrame, names: list[str], seed: int) -> Any:
    """Fit one candidate on the training rows."""
    estimator = make_estimator(name, seed)
    estimator.fit(train.select(names).to_numpy(), train["label"].to_numpy())
    return estimator


def train(frame: pl.DataFrame, cfg: TrainConfig = TrainConfig()) -> TrainedModel:
    """Compare the candidates on validation AP; keep the best with its threshold."""
    data = with_features(frame)
    names = feature_names(frame, cfg.with_labels)
    train_rows, validation = split(data, cfg)
    x_val, y_val = validation.select(names).to_numpy(), validation["label"].to_numpy()
    results: dict[str, float] = {}
    best: tuple[float, str, Any, float] | None = None
    for name in cfg.candidates:
        started = time.perf_counter()
        estimator = fit_candidate(name, train_rows, names, cfg.seed)
        seconds = time.perf_counter() - started
        ap = float(average_precision_score(y_val, estimator.predict_proba(x_val)[:, 1]))
        results[name] = ap
        if best is None or ap > best[0]:
            best = (ap, name, estimator, seconds)
    assert best is not None
    ap, name, estimator, seconds = best
    scores = estimator.predict_proba(x_val)[:, 1]
    threshold, goal = choose_threshold(scores, y_val, validation["day"].n_unique(), cfg)
    from cardwatch_ml.evaluation import metrics

    scored = validation.with_columns(pl.Series("score", scores))
    return TrainedModel(
        estimator,
        name,
        names,
        threshold,
        goal,
        metrics(scored, threshold),
        results,
        seconds,
        train_rows.height,
        scores.tolist(),
    )
