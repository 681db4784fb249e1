"""The batch's order (by card, then time, then id, then arrival) and its judgement: scores
clamped, NaN as certain fraud, rules' reasons before the features'."""

from __future__ import annotations

import math
from datetime import timedelta, timezone

import numpy as np
import pytest

from cardwatch_scorer.batch_features import in_card_order
from cardwatch_scorer.reason_codes import REASON_FEATURES
from cardwatch_scorer.rule_engine import RuleDecisions, RuleHit
from cardwatch_scorer.scoring import feature_columns, judge_batch
from cardwatch_shared.contracts import Decision
from tests.support.transactions import T0, stream_transaction

pytestmark = pytest.mark.unit


def test_order_is_by_card_then_time_then_id_then_arrival() -> None:
    late = stream_transaction(1, card="b")
    early = stream_transaction(9, card="b", event_time=T0 - timedelta(hours=1))
    twin = stream_transaction(5, card="b", event_time=T0 - timedelta(hours=1))
    other = stream_transaction(0, card="a")
    batch = [late, early, twin, other, twin]
    ordered = in_card_order(batch)
    tokens = sorted({late.card_token, other.card_token})
    assert ordered[0][0].card_token == tokens[0]
    b_order = [tx for tx, _ in ordered if tx.card_token == late.card_token]
    assert b_order == [twin, twin, early, late]
    assert all(seconds == int(tx.event_time.timestamp()) for tx, seconds in ordered)


def test_time_order_holds_across_utc_offsets() -> None:
    utc = stream_transaction(1, card="a")  # 09:01 UTC
    paris = stream_transaction(2, card="a", event_time=(T0 + timedelta(seconds=30)).astimezone(
        timezone(timedelta(hours=1))))  # fmt: skip
    assert [tx for tx, _ in in_card_order([utc, paris])] == [paris, utc]


def _columns(rows: int, **values: float) -> dict[str, np.ndarray]:
    return {name: np.full(rows, values.get(name, math.nan)) for name in REASON_FEATURES}


def test_scores_are_clamped_and_nan_counts_as_certain_fraud() -> None:
    scores = np.array([0.2, 0.8, math.nan, 1.5, -0.1, math.inf])
    judged = judge_batch(scores, _columns(6), 0.5, None)
    assert [j.score for j in judged] == [0.2, 0.8, 1.0, 1.0, 0.0, 1.0]
    allow, block = Decision.ALLOW, Decision.BLOCK
    assert [j.decision for j in judged] == [allow, block, block, block, allow, block]
    assert all(j.reason_codes == [] and j.rules_fired == [] for j in judged)


def test_rules_decide_and_their_reasons_come_first() -> None:
    hits = [RuleHit(f"r{i}", f"rule {i}", i, Decision.REVIEW) for i in range(4)]
    decided = RuleDecisions([Decision.REVIEW, Decision.ALLOW], [hits[:1], hits])
    columns = _columns(2, amount=500.0, card_count_30d=1.0)  # high amount, new card
    first, second = judge_batch(np.array([0.9, 0.9]), columns, 0.5, decided)
    assert first.decision is Decision.REVIEW
    assert [r.code for r in first.reason_codes] == ["rule_r0", "high_amount", "new_card"]
    assert second.decision is Decision.ALLOW
    assert [r.code for r in second.reason_codes] == ["rule_r0", "rule_r1", "rule_r2"]


def test_a_feature_the_batch_lacks_reads_as_nan() -> None:
    columns = feature_columns(["amount", "terminal_risk_7d"], {"amount": np.array([10.0, 20.0])}, 2)
    assert columns["amount"].tolist() == [10.0, 20.0]
    assert all(math.isnan(value) for value in columns["terminal_risk_7d"])
