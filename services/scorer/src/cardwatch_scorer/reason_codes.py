"""Reasons a person can read, from the features that make a transaction unusual (at most three)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from cardwatch_shared.contracts import ReasonCode
from cardwatch_shared.contracts.verdict import MAX_REASONS

Features = Mapping[str, float]


def _value(features: Features, name: str) -> float:
    value = features.get(name, math.nan)
    return value if not math.isnan(value) else math.nan


def _amount_vs_history(f: Features) -> tuple[float, ReasonCode] | None:
    ratio = _value(f, "amount_to_card_mean_30d")
    count = _value(f, "card_count_30d")
    if ratio >= 2.5 and count >= 3:
        text = f"amount {ratio:.1f}× this card's 30-day average"
        return ratio, ReasonCode(code="amount_vs_card_30d", text=text)
    return None


def _terminal_risk(f: Features) -> tuple[float, ReasonCode] | None:
    risk, count = _value(f, "terminal_risk_7d"), _value(f, "terminal_count_7d")
    if risk > 0 and count > 0:
        frauds = round(risk * count)
        text = f"terminal had {frauds} confirmed fraud(s) in the 7 days before the label delay"
        return 2 + 10 * risk, ReasonCode(code="terminal_risk_7d", text=text)
    return None


def _velocity(f: Features) -> tuple[float, ReasonCode] | None:
    today = _value(f, "card_count_1d")
    if today >= 6:
        return today / 3, ReasonCode(code="card_count_1d", text=f"{today:.0f} transactions today")
    return None


def _rapid(f: Features) -> tuple[float, ReasonCode] | None:
    since = _value(f, "card_seconds_since_last")
    if since < 120:
        text = f"{since:.0f} s after the card's previous transaction"
        return 2.0, ReasonCode(code="card_seconds_since_last", text=text)
    return None


def _high_amount(f: Features) -> tuple[float, ReasonCode] | None:
    amount = _value(f, "amount")
    if amount >= 220:
        return 1.5, ReasonCode(code="high_amount", text=f"high amount ({amount:,.2f})")
    return None


def _new_card(f: Features) -> tuple[float, ReasonCode] | None:
    if _value(f, "card_count_30d") == 1:
        return 1.0, ReasonCode(code="new_card", text="first use of this card in 30 days")
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
