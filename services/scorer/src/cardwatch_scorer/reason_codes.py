"""Reasons a person can read, from the features that make a transaction unusual (at most three).

A missing feature reads as NaN, and every comparison with NaN is false: no reason from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import lru_cache

from cardwatch_shared.contracts import ReasonCode
from cardwatch_shared.contracts.verdict import MAX_REASONS

Features = Mapping[str, float]
_NAN = math.nan


@lru_cache(maxsize=4096)
def _code(code: str, text: str) -> ReasonCode:
    """One validated instance per distinct reason: most texts recur ("7 transactions today")."""
    return ReasonCode(code=code, text=text)


def _amount_vs_history(f: Features) -> tuple[float, ReasonCode] | None:
    ratio = f.get("amount_to_card_mean_30d", _NAN)
    count = f.get("card_count_30d", _NAN)
    if ratio >= 2.5 and count >= 3:
        text = f"amount {ratio:.1f}× this card's 30-day average"
        return ratio, _code("amount_vs_card_30d", text)
    return None


def _terminal_risk(f: Features) -> tuple[float, ReasonCode] | None:
    risk, count = f.get("terminal_risk_7d", _NAN), f.get("terminal_count_7d", _NAN)
    if risk > 0 and count > 0:
        frauds = round(risk * count)
        text = f"terminal had {frauds} confirmed fraud(s) in the 7 days before the label delay"
        return 2 + 10 * risk, _code("terminal_risk_7d", text)
    return None


def _velocity(f: Features) -> tuple[float, ReasonCode] | None:
    today = f.get("card_count_1d", _NAN)
    if today >= 6:
        return today / 3, _code("card_count_1d", f"{today:.0f} transactions today")
    return None


def _rapid(f: Features) -> tuple[float, ReasonCode] | None:
    since = f.get("card_seconds_since_last", _NAN)
    if since < 120:
        text = f"{since:.0f} s after the card's previous transaction"
        return 2.0, _code("card_seconds_since_last", text)
    return None


def _high_amount(f: Features) -> tuple[float, ReasonCode] | None:
    amount = f.get("amount", _NAN)
    if amount >= 220:
        return 1.5, _code("high_amount", f"high amount ({amount:,.2f})")
    return None


def _new_card(f: Features) -> tuple[float, ReasonCode] | None:
    if f.get("card_count_30d", _NAN) == 1:
        return 1.0, _code("new_card", "first use of this card in 30 days")
    return None


RULES: tuple[Callable[[Features], tuple[float, ReasonCode] | None], ...] = (
    _amount_vs_history,
    _terminal_risk,
    _velocity,
    _rapid,
    _high_amount,
    _new_card,
)


def reasons(features: Features) -> list[ReasonCode]:
    """The strongest (at most three) reasons that apply."""
    found = [hit for rule in RULES if (hit := rule(features)) is not None]
    found.sort(key=lambda hit: -hit[0])
    return [code for _, code in found[:MAX_REASONS]]
