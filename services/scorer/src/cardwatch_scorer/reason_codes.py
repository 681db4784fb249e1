"""Reasons a person can read, from the features that make a transaction unusual (at most three).

Computed for a batch at once: each rule is one vectorised test over the batch's feature columns,
and only the rows it fires on get Python work (their text). A missing feature reads as NaN, and
every comparison with NaN is false: no reason from it. The strongest reasons come first; equal
strengths keep the rules' order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from cardwatch_shared.contracts import ReasonCode
from cardwatch_shared.contracts.verdict import MAX_REASONS

Columns = Mapping[str, np.ndarray]
_NAN = np.nan


@lru_cache(maxsize=4096)
def _code(code: str, text: str) -> ReasonCode:
    """One validated instance per distinct reason: most texts recur ("7 transactions today")."""
    return ReasonCode(code=code, text=text)


def _by_values(make: Callable[..., ReasonCode]) -> Callable[..., ReasonCode]:
    """`make`, remembering its code for the values it last saw: counts and amounts recur, and
    their text is then not written again."""
    return lru_cache(maxsize=4096)(make)


@dataclass(frozen=True)
class ReasonRule:
    """A reason: the features it reads, its strength where it fires (NaN elsewhere), its code
    from one row's values (in `needs`' order)."""

    needs: tuple[str, ...]
    strength: Callable[..., np.ndarray]
    code: Callable[..., ReasonCode]


def _amount_vs_history(ratio: np.ndarray, count: np.ndarray) -> np.ndarray:
    return np.where((ratio >= 2.5) & (count >= 3), ratio, _NAN)


def _terminal_risk(risk: np.ndarray, count: np.ndarray) -> np.ndarray:
    return np.where((risk > 0) & (count > 0), 2 + 10 * risk, _NAN)


def _terminal_text(risk: float, count: float) -> ReasonCode:
    frauds = round(risk * count)
    text = f"terminal had {frauds} confirmed fraud(s) in the 7 days before the label delay"
    return _code("terminal_risk_7d", text)


RULES: tuple[ReasonRule, ...] = (
    ReasonRule(
        ("amount_to_card_mean_30d", "card_count_30d"),
        _amount_vs_history,
        _by_values(
            lambda ratio, _count: _code(
                "amount_vs_card_30d", f"amount {ratio:.1f}× this card's 30-day average"
            )
        ),
    ),
    ReasonRule(
        ("terminal_risk_7d", "terminal_count_7d"), _terminal_risk, _by_values(_terminal_text)
    ),
    ReasonRule(
        ("card_count_1d",),
        lambda today: np.where(today >= 6, today / 3, _NAN),
        _by_values(lambda today: _code("card_count_1d", f"{today:.0f} transactions today")),
    ),
    ReasonRule(
        ("card_seconds_since_last",),
        lambda since: np.where(since < 120, 2.0, _NAN),
        _by_values(
            lambda since: _code(
                "card_seconds_since_last", f"{since:.0f} s after the card's previous transaction"
            )
        ),
    ),
    ReasonRule(
        ("amount",),
        lambda amount: np.where(amount >= 220, 1.5, _NAN),
        _by_values(lambda amount: _code("high_amount", f"high amount ({amount:,.2f})")),
    ),
    ReasonRule(
        ("card_count_30d",),
        lambda count: np.where(count == 1, 1.0, _NAN),
        _by_values(lambda _count: _code("new_card", "first use of this card in 30 days")),
    ),
)
REASON_FEATURES = frozenset(name for rule in RULES for name in rule.needs)


def batch_reasons(columns: Columns, rows: int) -> list[list[ReasonCode]]:
    """The strongest (at most three) reasons of each row; `columns` holds every feature in
    `REASON_FEATURES` (NaN where absent)."""
    strengths = np.empty((rows, len(RULES)), dtype=np.float64)
    for position, rule in enumerate(RULES):
        strengths[:, position] = rule.strength(*(columns[name] for name in rule.needs))
    counts = np.minimum((~np.isnan(strengths)).sum(axis=1), MAX_REASONS)
    ranked = np.argsort(-strengths, axis=1, kind="stable")  # NaN (not fired) sorts last
    found: list[list[ReasonCode]] = [[] for _ in range(rows)]
    for k in range(int(counts.max(initial=0))):  # each row's k-th strongest, after its k-1th
        has = counts > k
        _add_level(found, np.flatnonzero(has), ranked[has, k], columns)
    return found


def _add_level(
    found: list[list[ReasonCode]], rows: np.ndarray, rules: np.ndarray, columns: Columns
) -> None:
    """Give each of `rows` its reason from the rule of `rules` (one a row): each rule makes the
    codes of all its rows in one pass."""
    for position in np.unique(rules).tolist():
        rule = RULES[position]
        at = rows[rules == position]
        codes = map(rule.code, *(columns[name][at].tolist() for name in rule.needs))
        for row, code in zip(at.tolist(), codes, strict=True):
            found[row].append(code)


def reasons(features: Mapping[str, float]) -> list[ReasonCode]:
    """The reasons of one transaction's features (a batch of one)."""
    columns = {name: np.array([features.get(name, _NAN)]) for name in REASON_FEATURES}
    return batch_reasons(columns, 1)[0]
