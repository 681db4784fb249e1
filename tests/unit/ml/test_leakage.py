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


def _terminal_days(known_day: int | None) -> pl.DataFrame:
    """One terminal, one transaction a day for 20 days; day 0 is a fraud whose label is known
    on `known_day` (None: no known time given)."""
    start = datetime(2026, 1, 1, 10, tzinfo=UTC)
    rows = pl.DataFrame(
        {
            "transaction_id": [f"t{d:02d}" for d in range(20)],
            "card_id": [f"c{d}" for d in range(20)],
            "terminal_id": ["T"] * 20,
            "amount": [10.0] * 20,
            "event_time": [start + timedelta(days=d) for d in range(20)],
            "label": [1] + [0] * 19,
        }
    )
    if known_day is None:
        return rows
    known = [start + timedelta(days=known_day, hours=2)] + [None] * 19
    return rows.with_columns(pl.Series("label_known_at", known, dtype=pl.Datetime("us", "UTC")))


def test_a_fraud_counts_in_terminal_risk_only_from_the_day_after_its_label_is_known() -> None:
    delay = SPEC.label_delay_days
    risk = compute_features(_terminal_days(known_day=delay + 2))["terminal_risk_7d"].to_list()
    as_of_delay = compute_features(_terminal_days(None))["terminal_risk_7d"].to_list()
    # days delay … delay+2: the window holds day 0, but its label is not known before the day
    assert risk[delay : delay + 3] == [0.0, 0.0, 0.0]
    assert as_of_delay[delay : delay + 3] == [1.0, 0.5, pytest.approx(1 / 3)]
    # from the day after it became known, both agree (until day 0 leaves the 7-day window)
    assert risk[delay + 3 :] == as_of_delay[delay + 3 :]
    assert risk[delay + 3] == pytest.approx(1 / 4)
    assert math.isnan(risk[0])


def test_a_label_known_within_the_delay_changes_nothing() -> None:
    early = compute_features(_terminal_days(known_day=3))
    assert early.drop("transaction_id").equals(
        compute_features(_terminal_days(None)).drop("transaction_id")
    )
