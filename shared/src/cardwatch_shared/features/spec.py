"""The one feature specification: names, windows, aggregates and the label delay.

Windows are counted in whole UTC days: the `w`-day window of a transaction on day `d` is days
`d-w+1 .. d`. Card aggregates include the transaction itself and the card's earlier transactions
(by time, then id) in the window. Terminal aggregates cover the `w` days that end `label_delay`
days before `d` (days `d-delay-w+1 .. d-delay`), whose labels are known by then. A feature whose
input is missing (no earlier transaction, an idle terminal) is NaN, never zero.

Offline (polars/numpy, `cardwatch_ml.features_offline`) and online (`online.py`, one transaction
at a time; `batch_columns.py`, a batch at once, for the scorer) implement this; tests hold them
equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

SECONDS_PER_DAY = 86_400
NIGHT_HOURS = range(6)  # 00:00-05:59 UTC


@dataclass(frozen=True)
class FeatureSpec:
    """Windows and delay of one spec version; feature names derive from them."""

    version: str = "1"
    card_windows: tuple[int, ...] = (1, 7, 30)
    terminal_windows: tuple[int, ...] = (1, 7, 30)
    label_delay_days: int = 7

    @property
    def card_features(self) -> tuple[str, ...]:
        """Per-card behaviour features."""
        names: list[str] = []
        for w in self.card_windows:
            names += [f"card_count_{w}d", f"card_mean_amount_{w}d"]
        names += [f"amount_to_card_mean_{w}d" for w in self.card_windows if w > 1]
        names.append("card_seconds_since_last")
        return tuple(names)

    @property
    def terminal_count_features(self) -> tuple[str, ...]:
        """Per-terminal volume features (no labels needed)."""
        return tuple(f"terminal_count_{w}d" for w in self.terminal_windows)

    @property
    def label_features(self) -> tuple[str, ...]:
        """Features that need labels: usable only where a label feed exists."""
        return tuple(f"terminal_risk_{w}d" for w in self.terminal_windows)

    @property
    def transaction_features(self) -> tuple[str, ...]:
        """Features of the transaction alone."""
        return ("amount", "is_weekend", "is_night")

    @property
    def channel_features(self) -> tuple[str, ...]:
        """Features of the channel (absent from data sets without it)."""
        return ("is_card_not_present",)

    @cached_property
    def state_days(self) -> int:
        """Days of buckets the online state keeps (read once a record: worked out once)."""
        return max(*self.card_windows, self.label_delay_days + max(self.terminal_windows))

    @cached_property
    def card_days(self) -> int:
        """Days of buckets a card's state keeps: its longest window."""
        return max(self.card_windows)

    def feature_names(self, *, with_labels: bool, with_channel: bool) -> tuple[str, ...]:
        """The features a model uses, in a fixed order."""
        names = self.transaction_features + self.card_features + self.terminal_count_features
        if with_channel:
            names += self.channel_features
        if with_labels:
            names += self.label_features
        return names


SPEC = FeatureSpec()
