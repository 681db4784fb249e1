"""A card's recent history as an analyst reads it on the review screen: transactions and mean
amount over the feature windows, confirmed frauds (labels), and when it was last used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cardwatch_shared.features.online import CardState
from cardwatch_shared.features.spec import SECONDS_PER_DAY

WINDOWS = (1, 7, 30)


@dataclass(frozen=True)
class CardHistory:
    """Counts over the days up to and including the reviewed transaction's day."""

    counts: dict[int, int]
    mean_amount_30d: float | None
    confirmed_frauds_30d: int
    last_seen: datetime | None

    def describe(self) -> str:
        """One line for the review screen."""
        counts = ", ".join(f"{self.counts[w]} in {w}d" for w in WINDOWS)
        mean = f"{self.mean_amount_30d:.2f}" if self.mean_amount_30d is not None else "—"
        last = self.last_seen.strftime("%Y-%m-%d %H:%M UTC") if self.last_seen else "never"
        frauds = self.confirmed_frauds_30d
        return (
            f"card history: {counts}; mean amount 30d {mean}; "
            f"confirmed fraud 30d {frauds}; last used {last}"
        )


def card_history(state: CardState, fraud_days: dict[int, float], at_seconds: int) -> CardHistory:
    """The history of a card at the time of one of its transactions."""
    day = at_seconds // SECONDS_PER_DAY
    counts: dict[int, int] = {}
    for window in WINDOWS:
        counts[window] = int(sum(c for d, (c, _) in state.days.items() if day - window < d <= day))
    total = sum(s for d, (_, s) in state.days.items() if day - 30 < d <= day)
    frauds = int(sum(n for d, n in fraud_days.items() if day - 30 < d <= day))
    last = state.last_seconds
    return CardHistory(
        counts=counts,
        mean_amount_30d=total / counts[30] if counts[30] else None,
        confirmed_frauds_30d=frauds,
        last_seen=datetime.fromtimestamp(last, UTC) if last is not None else None,
    )
