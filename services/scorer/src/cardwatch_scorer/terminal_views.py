"""The terminal features each transaction of a batch sees: the terminal as stored, plus the
batch's earlier transactions on it.

A terminal's windows end `label_delay_days` before a transaction's day, so when the batch spans
fewer days than that, none of its own transactions falls in any window it reads: the stored state
alone gives the features, worked out once per terminal and day (a busy terminal sees many
transactions a batch). Otherwise a terminal seen twice gets a copy that counts the batch's
transactions as they come.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cardwatch_shared.features import online
from cardwatch_shared.features.batch_columns import stored_terminal_columns
from cardwatch_shared.features.online import TerminalState
from cardwatch_shared.features.spec import SECONDS_PER_DAY, SPEC


class TerminalViews:
    """Terminal features for one batch, in its processing order."""

    def __init__(
        self, stored: dict[str, TerminalState], moments: Sequence[int], *, with_labels: bool
    ) -> None:
        """`moments`: the event times (epoch seconds) of the batch's transactions."""
        self._stored = stored
        self._with_labels = with_labels
        self._from_store = _span_days(moments) < SPEC.label_delay_days
        self._copies: dict[str, TerminalState] = {}  # the batch's own, counted in place
        self._uncounted: dict[str, list[int]] = {}  # the batch's transactions not yet on them

    def see(self, terminal_id: str, seconds: int) -> dict[str, float]:
        """What a transaction at `seconds` sees of its terminal; it then counts for the batch's
        later transactions (read from the stored state alone when the batch is short)."""
        if not self._from_store:
            view = terminal_view(terminal_id, self._stored_state(terminal_id), self._copies,
                                 self._uncounted)  # fmt: skip
            self._uncounted.setdefault(terminal_id, []).append(seconds)
            return online.terminal_features(view, seconds, with_labels=self._with_labels)
        stored = self._stored_state(terminal_id)
        return online.terminal_features(stored, seconds, with_labels=self._with_labels)

    def table(self, seen: Sequence[tuple[str, int]], names: Sequence[str]) -> np.ndarray:
        """The features `names` of what each (terminal, seconds) sees, a row each in order, as
        `see` gives them one by one. When the stored state alone gives the features, each
        terminal and day is worked out once and its row repeated (a batch's records share their
        terminals' days)."""
        if not self._from_store:
            views = [self.see(terminal_id, seconds) for terminal_id, seconds in seen]
            return _rows(views, names)
        keys = [(terminal_id, seconds // SECONDS_PER_DAY) for terminal_id, seconds in seen]
        places = {key: place for place, key in enumerate(dict.fromkeys(keys))}
        unique = self._stored_rows(list(places), names)
        return unique[np.fromiter(map(places.__getitem__, keys), np.intp, len(keys))]

    def _stored_rows(self, keys: list[tuple[str, int]], names: Sequence[str]) -> np.ndarray:
        """`_rows` of what each (terminal, day) sees of its stored state, as numbers throughout."""
        states = [self._stored_state(terminal) for terminal, _ in keys]
        columns = stored_terminal_columns(
            states, [day for _, day in keys], with_labels=self._with_labels
        )
        if not names:
            return np.empty((len(keys), 0))
        return np.column_stack([columns[name] for name in names])

    def _stored_state(self, terminal_id: str) -> TerminalState:
        return self._stored.get(terminal_id) or TerminalState()


def _rows(views: list[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    """The features `names` of each view, a row each."""
    rows = [[view[name] for name in names] for view in views]
    return np.asarray(rows, dtype=np.float64).reshape(len(views), len(names))


def _span_days(moments: Sequence[int]) -> int:
    """How many days apart the first and last event days are (0 for none)."""
    if not moments:
        return 0
    return max(moments) // SECONDS_PER_DAY - min(moments) // SECONDS_PER_DAY


def terminal_view(
    terminal_id: str,
    stored: TerminalState,
    copies: dict[str, TerminalState],
    uncounted: dict[str, list[int]],
) -> TerminalState:
    """The terminal as a transaction sees it: stored, plus the batch's earlier transactions.

    The batch's copy is made only for a terminal seen twice: most terminals are seen once a
    batch, and copying a month of buckets for each would cost more than its features."""
    earlier = uncounted.get(terminal_id)
    if not earlier:
        return copies.get(terminal_id, stored)
    terminal = copies.get(terminal_id)
    if terminal is None:
        terminal = copies[terminal_id] = stored.copy()
    for seconds in earlier:
        online.add_to_terminal(terminal, seconds)
    earlier.clear()
    return terminal
