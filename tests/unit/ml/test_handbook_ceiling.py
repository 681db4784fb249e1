"""Where the handbook's frauds rank by scenario, and the ceiling under the protocol."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest

from cardwatch_ml.handbook_ceiling import (
    RISK,
    SCENARIO_NAMES,
    UNDETECTABLE,
    ceiling,
    ceiling_table,
    scenario_ranks,
    scenario_table,
    with_scenarios,
)

pytestmark = pytest.mark.unit

LEGIT = [0.1, 0.2, 0.3, 0.4]


def scored(frauds: list[tuple[int, float, float]], legit: list[float] = LEGIT) -> pl.DataFrame:
    """Legitimate transactions scored `legit` and `frauds` as (scenario, score, terminal risk)."""
    rows = [(0, score, 0.0, 0) for score in legit]
    rows += [(scenario, score, risk, 1) for scenario, score, risk in frauds]
    return pl.DataFrame(
        {
            "transaction_id": list(range(len(rows))),
            "card_id": list(range(len(rows))),
            "day": [17_750] * len(rows),
            "scenario": [r[0] for r in rows],
            "score": [r[1] for r in rows],
            RISK: [r[2] for r in rows],
            "label": [r[3] for r in rows],
        }
    )


def test_each_group_gets_the_share_of_legitimate_transactions_below_its_frauds() -> None:
    frame = scored([(1, 0.9, 0.0), (2, 0.35, 0.5), (2, 0.05, math.nan), (3, 0.3, 0.0)])
    ranks = {rank.group: rank for rank in scenario_ranks(frame)}
    assert ranks[SCENARIO_NAMES[1]].share_below == 1.0
    assert ranks[SCENARIO_NAMES[2]].share_below == 0.75  # a known terminal: risk above 0
    assert ranks[UNDETECTABLE].share_below == 0.0  # no label known yet (risk NaN)
    assert ranks[SCENARIO_NAMES[3]].share_below == 0.625  # a tie counts half
    assert [rank.frauds for rank in ranks.values()] == [1, 1, 1, 1]
    table = scenario_table(list(ranks.values()))
    assert "| 3, compromised card, amounts × 5 | 1 | 0.625 |" in table


def test_a_scenario_two_fraud_at_a_terminal_with_zero_risk_is_undetectable() -> None:
    ranks = scenario_ranks(scored([(2, 0.9, 0.0)]))
    assert [(rank.group, rank.frauds) for rank in ranks] == [(UNDETECTABLE, 1)]


def test_the_ceiling_is_perfect_when_every_fraud_is_detectable() -> None:
    bound = ceiling(scored([(1, 0.0, 0.0), (3, 0.0, 0.0)]), draws=3)
    assert bound.undetectable == 0
    assert bound.figures["auc_roc"] == (1.0, 1.0, 1.0)
    assert bound.figures["average_precision"] == (1.0, 1.0, 1.0)


def test_undetectable_frauds_rank_at_random_in_the_ceiling() -> None:
    frame = scored([(1, 0.0, 0.0)] + [(2, 0.0, 0.0)] * 3, legit=[0.0] * 50)
    bound = ceiling(frame, draws=20, seed=1)
    low, mean, high = bound.figures["auc_roc"]
    assert bound.undetectable == 3
    assert low < mean < high < 1.0
    assert 0.4 < mean < 0.85  # one fraud first, three at chance: 0.625 expected
    assert ceiling(frame, draws=20, seed=1) == bound
    table = ceiling_table(bound, dict.fromkeys(bound.figures, 0.5))
    assert "ceiling (3 undetectable, 20 draws)" in table
    assert table.endswith("| cardwatch | 0.500 | 0.500 | 0.500 |")


def test_scenarios_are_joined_from_the_handbook_file_by_transaction(tmp_path: Path) -> None:
    path = tmp_path / "transactions.parquet"
    pl.DataFrame({"TRANSACTION_ID": [0, 1, 2], "TX_FRAUD_SCENARIO": [0, 3, 1]}).write_parquet(path)
    frame = pl.DataFrame({"transaction_id": [2, 1, 0], "score": [0.1, 0.2, 0.3]})
    assert with_scenarios(frame, path)["scenario"].to_list() == [1, 3, 0]
