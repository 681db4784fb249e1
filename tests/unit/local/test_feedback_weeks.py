"""The feedback demo's week table and its control: weeks of seven days, and the weeks with labels
sent set beside the same weeks with every label withheld."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest

from cardwatch_local.feedback_demo import Timeline, day_rows, precision_at, side_by_side, weekly

pytestmark = pytest.mark.unit


def _day(n: int, alerts: int, hits: int, frauds: int) -> dict[str, Any]:
    return {
        "day": (date(2026, 1, 1) + timedelta(days=n)).isoformat(),
        "transactions": 100,
        "frauds": frauds,
        "alerts": alerts,
        "true_alerts": hits,
        "labels_known": n,
    }


def test_weeks_pool_their_days() -> None:
    days = [_day(n, alerts=2, hits=1, frauds=4) for n in range(9)]
    weeks = weekly(days)
    assert [w["week"] for w in weeks] == [1, 2]
    assert weeks[0]["alerts"] == 14
    assert weeks[0]["precision"] == pytest.approx(0.5)
    assert weeks[0]["recall"] == pytest.approx(0.25)
    assert weeks[1]["transactions"] == 200
    assert weeks[1]["labels_known_at_start"] == 7


def test_side_by_side_shows_what_the_labels_changed() -> None:
    sent = weekly([_day(n, alerts=4, hits=3, frauds=6) for n in range(7)])
    withheld = weekly([_day(n, alerts=4, hits=2, frauds=6) for n in range(7)])
    (row,) = side_by_side(sent, withheld)
    assert row["precision"] == pytest.approx(0.75)
    assert row["precision withheld"] == pytest.approx(0.5)
    assert row["precision gain"] == pytest.approx(0.25)


def test_a_week_without_alerts_has_no_gain() -> None:
    sent = weekly([_day(n, alerts=0, hits=0, frauds=1) for n in range(7)])
    withheld = weekly([_day(n, alerts=1, hits=1, frauds=1) for n in range(7)])
    (row,) = side_by_side(sent, withheld)
    assert row["precision"] is None
    assert row["precision gain"] is None


def test_arms_of_different_lengths_are_refused() -> None:
    sent = weekly([_day(n, alerts=1, hits=1, frauds=1) for n in range(14)])
    withheld = weekly([_day(n, alerts=1, hits=1, frauds=1) for n in range(7)])
    with pytest.raises(ValueError, match="shorter"):
        side_by_side(sent, withheld)


def test_precision_at_an_alert_budget_ranks_by_score() -> None:
    scored = pl.DataFrame(
        {
            "transaction_id": ["a", "b", "c", "d", "e"],
            "day": [date(2026, 1, 1)] * 4 + [date(2026, 1, 9)],
            "label": [1, 0, 1, 0, 1],
            "score": [0.9, 0.8, 0.7, 0.1, 0.99],
        }
    )
    week = ["2026-01-01"]
    assert precision_at(scored, week, 1) == pytest.approx(1.0)  # "e" is another week
    assert precision_at(scored, week, 2) == pytest.approx(0.5)
    assert precision_at(scored, week, 3) == pytest.approx(2 / 3)
    assert precision_at(scored, week, 0) is None


def test_side_by_side_at_the_same_budget() -> None:
    days = [_day(n, alerts=4, hits=2, frauds=6) for n in range(7)]
    sent = weekly([_day(n, alerts=8, hits=4, frauds=6) for n in range(7)])
    withheld = weekly(days)  # 28 alerts at 0.5
    scored = pl.DataFrame(
        {
            "transaction_id": [f"t{i}" for i in range(40)],
            "day": [date(2026, 1, 1)] * 40,
            "label": [1] * 21 + [0] * 19,
            "score": [1.0 - i / 100 for i in range(40)],
        }
    )
    (row,) = side_by_side(sent, withheld, scored, [[d["day"] for d in days]])
    assert row["precision at withheld's alerts"] == pytest.approx(21 / 28)
    assert row["gain at same alerts"] == pytest.approx(21 / 28 - 0.5)


def test_each_day_names_the_model_that_scored_most_of_it() -> None:
    truth = pl.DataFrame(
        {
            "transaction_id": ["a", "b", "c", "d"],
            "day": [date(2026, 1, 1)] * 3 + [date(2026, 1, 2)],
            "label": [1, 0, 0, 1],
        }
    )
    flagged = {"a": True, "b": False, "c": False, "d": True}
    models = {
        "a": "20260101T000000Z-hist_gradient_boosting",
        "b": "20260101T000000Z-hist_gradient_boosting",
        "c": "20251201T000000Z-hist_gradient_boosting",
        "d": "20260101T000000Z-hist_gradient_boosting",
    }
    rows = day_rows(Timeline(truth), flagged, {}, models)
    assert [r["model"] for r in rows] == ["20260101T000000Z", "20260101T000000Z"]
    assert "model" not in day_rows(Timeline(truth), flagged, {})[0]


def test_a_week_lists_its_models_in_order() -> None:
    days = [
        _day(n, alerts=1, hits=1, frauds=1) | {"model": "old" if n < 3 else "new"} for n in range(7)
    ]
    (week,) = weekly(days)
    assert week["models"] == "old → new"
    assert "models" not in weekly([_day(n, alerts=1, hits=1, frauds=1) for n in range(7)])[0]
