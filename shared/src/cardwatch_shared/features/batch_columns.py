"""The features of a whole batch at once, as numpy columns (the scorer's online path).

A transaction's own features are arithmetic on its time. Of its card, each transaction sees the
stored state plus the batch's earlier transactions of that card (by time, then id), exactly as
`online.card_features` sees them when the card absorbs the batch one transaction at a time. The
stored part is summed once per card and day; the batch's own part is a running sum over the batch
in card order, cut where each window begins.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import chain

import numpy as np

from cardwatch_shared.features.online import (
    CardState,
    TerminalState,
    card_names,
    terminal_names,
    window_sums,
)
from cardwatch_shared.features.spec import NIGHT_HOURS, SECONDS_PER_DAY, SPEC, FeatureSpec

_IS_NIGHT = np.isin(np.arange(24), np.asarray(NIGHT_HOURS)).astype(np.float64)  # by hour


def transaction_columns(seconds: np.ndarray, amounts: np.ndarray) -> dict[str, np.ndarray]:
    """The features of each transaction alone (`online.transaction_features`, by column)."""
    days = seconds // SECONDS_PER_DAY
    hours = (seconds % SECONDS_PER_DAY) // 3600  # 0 to 23, before 1970 too
    return {
        "amount": amounts,
        "is_weekend": ((days + 3) % 7 >= 5).astype(np.float64),
        "is_night": _IS_NIGHT[hours],
    }


def stored_terminal_columns(
    states: Sequence[TerminalState],
    days: Sequence[int],
    spec: FeatureSpec = SPEC,
    *,
    with_labels: bool,
) -> dict[str, np.ndarray]:
    """The terminal features (`online.terminal_features`, by column) of each (state, event day):
    what a transaction of that day sees of the terminal as stored. The window sums are kept as
    numbers, and the risks made by one numpy division, not a dict of features a row."""
    windows, delay = spec.terminal_windows, spec.label_delay_days
    sums = np.asarray(
        [
            window_sums(state.days, day - delay, windows)
            for state, day in zip(states, days, strict=True)
        ],
        dtype=np.float64,
    ).reshape(len(states), len(windows), 2)
    counts = sums[:, :, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        risks = np.where(counts > 0, sums[:, :, 1] / counts, np.nan)
    out: dict[str, np.ndarray] = {}
    for at, (count_name, risk_name) in enumerate(terminal_names(windows)):
        out[count_name] = counts[:, at]
        if with_labels:
            out[risk_name] = risks[:, at]
    return out


def card_columns(
    states: Sequence[CardState],
    cards: np.ndarray,
    seconds: np.ndarray,
    amounts: np.ndarray,
    spec: FeatureSpec = SPEC,
) -> dict[str, np.ndarray]:
    """The card features of each row, by name.

    Rows are the transactions a batch's cards absorb, in card order (a card's rows adjacent, by
    time, then id); `cards[i]` is the position in `states` of row i's card state as stored before
    the batch."""
    days = seconds // SECONDS_PER_DAY
    keys = _card_day_keys(cards, days, max(spec.card_windows))
    stored = _stored_sums(states, cards, days, keys, spec.card_windows)
    running = np.concatenate(([0.0], np.cumsum(amounts)))
    rows = np.arange(len(amounts))
    out: dict[str, np.ndarray] = {}
    names = card_names(spec.card_windows)
    with np.errstate(divide="ignore", invalid="ignore"):
        for at, (window, (count_name, mean_name, ratio_name)) in enumerate(
            zip(spec.card_windows, names, strict=True)
        ):
            first = np.searchsorted(keys, keys - (window - 1), side="left")
            count = stored[:, at, 0] + (rows - first) + 1.0
            mean = (stored[:, at, 1] + (running[rows] - running[first]) + amounts) / count
            out[count_name], out[mean_name] = count, mean
            if ratio_name is not None:
                out[ratio_name] = amounts / mean
    out["card_seconds_since_last"] = seconds - _last_before(states, cards, seconds)
    return out


def _card_day_keys(cards: np.ndarray, days: np.ndarray, longest: int) -> np.ndarray:
    """One sortable key per row: its card, then its day, spaced so that a key minus a window's
    length never reaches the previous card's keys."""
    if not len(days):
        return np.zeros(0, dtype=np.int64)
    offset = days - days.min() + longest
    span = int(offset.max()) + longest + 1
    keys: np.ndarray = cards.astype(np.int64) * span + offset
    return keys


def _stored_sums(
    states: Sequence[CardState],
    cards: np.ndarray,
    days: np.ndarray,
    keys: np.ndarray,
    windows: tuple[int, ...],
) -> np.ndarray:
    """(rows, windows, 2): each row's window sums of its card's stored days, worked out once per
    card and day (`keys` sorted, equal for rows of one card and day)."""
    if not len(keys):
        return np.zeros((0, len(windows), 2))
    starts = np.concatenate(([True], keys[1:] != keys[:-1]))
    which = np.cumsum(starts) - 1
    firsts = np.flatnonzero(starts)
    sums = [
        window_sums(states[card].days, day, windows)
        for card, day in zip(cards[firsts].tolist(), days[firsts].tolist(), strict=True)
    ]
    flat = chain.from_iterable(chain.from_iterable(sums))  # np.asarray of the nested lists: 5x
    count = len(firsts) * len(windows) * 2
    per_day = np.fromiter(flat, dtype=np.float64, count=count).reshape(len(firsts), -1, 2)
    each: np.ndarray = per_day[which]
    return each


def _last_before(states: Sequence[CardState], cards: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Each row's card's latest time before it: stored, or the card's previous row (NaN: none)."""
    stored = np.array(
        [math.nan if s.last_seconds is None else float(s.last_seconds) for s in states]
    )
    previous = np.full(len(seconds), math.nan)
    previous[1:] = seconds[:-1]
    if len(cards):
        previous[1:][cards[1:] != cards[:-1]] = math.nan
    latest: np.ndarray = np.fmax(stored[cards], previous)
    return latest
