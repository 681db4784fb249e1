"""No leakage: the scenario is never a feature, terminal risk only sees labels at least the label
delay old, and the handbook protocol never trains on the delay or test weeks."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from cardwatch_ml import handbook
from cardwatch_ml.datasets import from_simulation
from cardwatch_ml.features_offline import compute_features
from cardwatch_ml.simulator import SimulationConfig, simulate
from cardwatch_ml.training import feature_names, with_features
from cardwatch_shared.features.spec import SPEC

pytestmark = pytest.mark.unit


def frame(days: int = 40) -> pl.DataFrame:
    sim = simulate(SimulationConfig(cards=300, terminals=200, days=days, seed=9))
    return from_simulation(sim, with_scenario=True)


def test_scenario_is_never_a_feature() -> None:
    data = frame()
    names = feature_names(data, with_labels=True)
    assert not any("scenario" in n for n in names)
    shuffled = data.with_columns(pl.col("scenario").shuffle(seed=1))
    assert compute_features(data).equals(compute_features(shuffled))


def test_terminal_risk_ignores_labels_younger_than_the_delay() -> None:
    data = frame()
    target_time = data["event_time"][-1]
    recent = pl.col("event_time") > target_time - timedelta(days=SPEC.label_delay_days)
    flipped = data.with_columns(
        pl.when(recent).then(1 - pl.col("label")).otherwise(pl.col("label"))
    )
    last = -1
    risk = [f"terminal_risk_{w}d" for w in SPEC.terminal_windows]
    before = compute_features(data).select(risk).row(last)
    after = compute_features(flipped).select(risk).row(last)
    assert all(
        (math.isnan(a) and math.isnan(b)) or a == b for a, b in zip(before, after, strict=True)
    )
    older = pl.col("event_time") < target_time - timedelta(days=SPEC.label_delay_days + 1)
    flipped_old = data.with_columns(
        pl.when(older).then(1).otherwise(pl.col("label")).alias("label")
    )
    changed = compute_features(flipped_old).select(risk)
    assert not changed.equals(compute_features(data).select(risk))


def test_handbook_split_trains_only_before_the_delay() -> None:
    start = datetime(2018, 7, 1, tzinfo=UTC)
    rows = 24 * 50
    moments = [start + timedelta(hours=i) for i in range(rows)]
    data = pl.DataFrame(
        {
            "transaction_id": list(range(rows)),
            "card_id": [i % 30 for i in range(rows)],
            "terminal_id": [i % 17 for i in range(rows)],
            "amount": [float(10 + i % 50) for i in range(rows)],
            "event_time": moments,
            "label": [int(i % 97 == 0) for i in range(rows)],
        }
    )
    featured = with_features(data)
    test = handbook.test_set(featured)
    delay_day = int(handbook.DELAY_START.timestamp()) // 86_400
    test_day = int(handbook.TEST_START.timestamp()) // 86_400
    test_days = test["day"].to_numpy()
    assert (int(test_days.min()), int(test_days.max())) == (test_day, test_day + 6)
    train_days = handbook.training_rows(featured)["day"].to_numpy()
    assert len(train_days) > 0
    assert int(train_days.max()) < delay_day
