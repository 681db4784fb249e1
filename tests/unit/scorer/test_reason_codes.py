"""Reason codes: each rule at its boundary, nothing from a missing feature, the strongest three
first (equal strengths in the rules' order), and a batch giving each row what it gives alone."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_scorer.reason_codes import REASON_FEATURES, RULES, batch_reasons, reasons
from cardwatch_shared.contracts import ReasonCode
from cardwatch_shared.contracts.verdict import MAX_REASONS

pytestmark = pytest.mark.unit

QUIET = {
    "amount": 40.0,
    "amount_to_card_mean_30d": 1.0,
    "card_count_30d": 12.0,
    "card_count_1d": 2.0,
    "card_seconds_since_last": 4_000.0,
    "terminal_risk_7d": 0.0,
    "terminal_count_7d": 50.0,
}


def codes(**changes: float) -> list[str]:
    return [reason.code for reason in reasons({**QUIET, **changes})]


def test_a_quiet_transaction_has_no_reason() -> None:
    assert reasons(QUIET) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"amount_to_card_mean_30d": 2.5, "card_count_30d": 3.0}, "amount_vs_card_30d"),
        ({"terminal_risk_7d": 0.02}, "terminal_risk_7d"),
        ({"card_count_1d": 6.0}, "card_count_1d"),
        ({"card_seconds_since_last": 119.0}, "card_seconds_since_last"),
        ({"amount": 220.0}, "high_amount"),
        ({"card_count_30d": 1.0}, "new_card"),
    ],
)
def test_each_rule_fires_at_its_boundary(changes: dict[str, float], code: str) -> None:
    assert codes(**changes) == [code]


@pytest.mark.parametrize(
    "changes",
    [
        {"amount_to_card_mean_30d": 2.49, "card_count_30d": 3.0},
        {"amount_to_card_mean_30d": 9.0, "card_count_30d": 2.0},
        {"card_count_1d": 5.0},
        {"card_seconds_since_last": 120.0},
        {"amount": 219.99},
    ],
)
def test_just_below_a_boundary_is_no_reason(changes: dict[str, float]) -> None:
    assert codes(**changes) == []


def test_a_missing_feature_gives_no_reason() -> None:
    missing = dict.fromkeys(QUIET, math.nan)
    assert reasons(missing) == []
    assert reasons({}) == []


def test_the_strongest_three_come_first_and_ties_keep_the_rules_order() -> None:
    # strengths: amount ratio 8.0, terminal 2 + 10 x 0.1 = 3.0, 9 today 3.0, rapid 2.0, high 1.5
    busy = {"amount_to_card_mean_30d": 8.0, "terminal_risk_7d": 0.1, "card_count_1d": 9.0,
            "card_seconds_since_last": 30.0, "amount": 500.0}  # fmt: skip
    found = reasons({**QUIET, **busy})
    assert [r.code for r in found] == ["amount_vs_card_30d", "terminal_risk_7d", "card_count_1d"]
    assert [r.text for r in found] == [
        "amount 8.0× this card's 30-day average",
        "terminal had 5 confirmed fraud(s) in the 7 days before the label delay",
        "9 transactions today",
    ]


def test_a_batch_gives_each_row_what_it_gives_alone() -> None:
    rows = [
        QUIET,
        {**QUIET, "amount": 900.0, "card_count_30d": 1.0, "card_seconds_since_last": math.nan},
        {**QUIET, "card_seconds_since_last": 5.0},
        {},
        {**QUIET, "terminal_risk_7d": math.nan, "card_count_1d": 7.0},
    ]
    columns = {
        name: np.array([row.get(name, math.nan) for row in rows]) for name in REASON_FEATURES
    }
    assert batch_reasons(columns, len(rows)) == [reasons(row) for row in rows]
    assert [len(found) for found in batch_reasons(columns, len(rows))] == [0, 2, 1, 0, 1]


def _one_by_one(columns: dict[str, np.ndarray], row: int) -> list[ReasonCode]:
    """A row's reasons the plain way: each rule's strength, the strongest first (ties in the
    rules' order), three at most."""
    fired = []
    for position, rule in enumerate(RULES):
        values = [columns[name][row : row + 1] for name in rule.needs]
        strength = float(rule.strength(*values)[0])
        if not math.isnan(strength):
            code = rule.code(*[float(value[0]) for value in values])
            fired.append((-strength, position, code))
    return [code for _, _, code in sorted(fired, key=lambda f: (f[0], f[1]))][:MAX_REASONS]


VALUES = st.sampled_from([math.nan, 0.0, 0.1, 1.0, 2.5, 3.0, 6.0, 9.0, 100.0, 119.0, 220.0, 900.0])


@settings(max_examples=300, deadline=None)
@given(data=st.data(), rows=st.integers(min_value=0, max_value=30))
def test_a_batch_gives_each_row_its_strongest_reasons(data: st.DataObject, rows: int) -> None:
    """Every mix of rules firing, one to six of them a row, against the plain way row by row;
    each row gets a list of its own."""
    columns = {
        name: np.array(data.draw(st.lists(VALUES, min_size=rows, max_size=rows)), dtype=float)
        for name in sorted(REASON_FEATURES)
    }
    found = batch_reasons(columns, rows)
    assert found == [_one_by_one(columns, row) for row in range(rows)]
    assert len({id(codes) for codes in found}) == rows
