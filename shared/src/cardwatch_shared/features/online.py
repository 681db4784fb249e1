"""Online implementation of the feature spec: compact per-card and per-terminal state.

State is daily buckets (count and amount sum per card; transaction and fraud counts per
terminal), trimmed to the days the spec can read, plus the card's last transaction time. The
scorer keeps it in DynamoDB; nothing here knows where. Transactions of one card must be applied in
event-time order (Kinesis keeps per-card order: the partition key is the card token).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from cardwatch_shared.features.spec import NIGHT_HOURS, SECONDS_PER_DAY, SPEC, FeatureSpec

NAN = math.nan


@dataclass
class CardState:
    """A card's recent behaviour: per day [count, amount sum], and its last transaction time."""

    days: dict[int, list[float]] = field(default_factory=dict)
    last_seconds: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain types, for storage."""
        return {"days": {str(d): v for d, v in self.days.items()}, "last": self.last_seconds}

    def copy(self) -> CardState:
        """A copy that can be changed in place without touching this one."""
        return CardState({d: list(v) for d, v in self.days.items()}, self.last_seconds)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> CardState:
        """From `to_dict`'s output (None: a card never seen)."""
        if not data:
            return cls()
        days = {int(d): [float(v[0]), float(v[1])] for d, v in data.get("days", {}).items()}
        last = data.get("last")
        return cls(days=days, last_seconds=int(last) if last is not None else None)


@dataclass
class TerminalState:
    """A terminal's per-day [transactions, confirmed frauds]."""

    days: dict[int, list[float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain types, for storage."""
        return {"days": {str(d): v for d, v in self.days.items()}}

    def copy(self) -> TerminalState:
        """A copy that can be changed in place without touching this one."""
        return TerminalState({d: list(v) for d, v in self.days.items()})

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TerminalState:
        """From `to_dict`'s output (None: a terminal never seen)."""
        if not data:
            return cls()
        return cls(days={int(d): [float(v[0]), float(v[1])] for d, v in data["days"].items()})


def _window(days: dict[int, list[float]], first: int, last: int) -> tuple[float, float]:
    count = total = 0.0
    for day, (c, s) in days.items():
        if first <= day <= last:
            count += c
            total += s
    return count, total


def transaction_features(amount: float, seconds: int) -> dict[str, float]:
    """Features of the transaction alone."""
    day = seconds // SECONDS_PER_DAY
    weekday = (day + 3) % 7
    hour = (seconds % SECONDS_PER_DAY) // 3600
    return {"amount": amount, "is_weekend": float(weekday >= 5),
            "is_night": float(hour in NIGHT_HOURS)}  # fmt: skip


def card_features(
    state: CardState, amount: float, seconds: int, spec: FeatureSpec = SPEC
) -> dict[str, float]:
    """The card features of a transaction, given the card's state before it."""
    day = seconds // SECONDS_PER_DAY
    out: dict[str, float] = {}
    for w in spec.card_windows:
        count, total = _window(state.days, day - w + 1, day)
        count, total = count + 1, total + amount
        mean = total / count
        out[f"card_count_{w}d"], out[f"card_mean_amount_{w}d"] = count, mean
        if w > 1:
            out[f"amount_to_card_mean_{w}d"] = amount / mean
    last = state.last_seconds
    out["card_seconds_since_last"] = float(seconds - last) if last is not None else NAN
    return out


def _drop_days_up_to(days: dict[int, list[float]], oldest: int) -> None:
    for day in [d for d in days if d <= oldest]:
        del days[day]


def add_to_card(state: CardState, amount: float, seconds: int, spec: FeatureSpec = SPEC) -> None:
    """Apply the transaction to the card's state in place (old days trimmed)."""
    day = seconds // SECONDS_PER_DAY
    _drop_days_up_to(state.days, day - max(spec.card_windows))
    bucket = state.days.setdefault(day, [0.0, 0.0])
    bucket[0] += 1
    bucket[1] += amount
    last = state.last_seconds
    state.last_seconds = seconds if last is None else max(last, seconds)


def terminal_features(
    state: TerminalState, seconds: int, spec: FeatureSpec = SPEC, *, with_labels: bool = True
) -> dict[str, float]:
    """Terminal volume (and, with a label feed, risk) over the delayed windows."""
    last = seconds // SECONDS_PER_DAY - spec.label_delay_days
    out: dict[str, float] = {}
    for w in spec.terminal_windows:
        count, frauds = _window(state.days, last - w + 1, last)
        out[f"terminal_count_{w}d"] = count
        if with_labels:
            out[f"terminal_risk_{w}d"] = frauds / count if count > 0 else NAN
    return out


def add_to_terminal(state: TerminalState, seconds: int, spec: FeatureSpec = SPEC) -> None:
    """Count one more transaction on the terminal's state in place (old days trimmed)."""
    day = seconds // SECONDS_PER_DAY
    _drop_days_up_to(state.days, day - spec.state_days)
    state.days.setdefault(day, [0.0, 0.0])[0] += 1


def apply_label(state: TerminalState, seconds: int, is_fraud: bool) -> TerminalState:
    """The terminal's state after a label for one of its transactions arrives."""
    if not is_fraud:
        return state
    day = seconds // SECONDS_PER_DAY
    days = {d: list(v) for d, v in state.days.items()}
    days.setdefault(day, [0.0, 0.0])[1] += 1
    return TerminalState(days=days)
