"""The batch's columns: a transaction's own features equal `transaction_features`; its card
columns equal what each card gives absorbing the batch one transaction at a time (`card_features`,
then `add_to_card`): any stored state (a card never seen, a month of days, a stored last time
after the batch's), any windows, several transactions a second or a day; the terminal columns of
stored states equal `terminal_features`, row by row, number for number."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_shared.features.batch_columns import (
    card_columns,
    stored_terminal_columns,
    transaction_columns,
)
from cardwatch_shared.features.online import (
    CardState,
    TerminalState,
    add_to_card,
    card_features,
    terminal_features,
    transaction_features,
)
from cardwatch_shared.features.spec import SECONDS_PER_DAY, FeatureSpec

pytestmark = pytest.mark.unit

T0 = 20_400 * SECONDS_PER_DAY

stored_days = st.dictionaries(
    st.integers(20_400 - 45, 20_400 + 2),
    st.tuples(st.integers(1, 9), st.integers(0, 90_000)).map(lambda b: (float(b[0]), b[1] / 100)),
    max_size=40,
)
stored_state = st.builds(
    CardState,
    days=stored_days,
    last_seconds=st.one_of(st.none(), st.integers(T0 - 40 * SECONDS_PER_DAY, T0 + 3_600)),
)
cents = st.integers(1, 500_000)
card_rows = st.lists(
    st.tuples(st.integers(-2 * SECONDS_PER_DAY, 40 * SECONDS_PER_DAY), cents),
    min_size=1,
    max_size=12,
)
windows = st.lists(st.integers(1, 40), min_size=1, max_size=4, unique=True).map(tuple)


def one_at_a_time(
    states: list[CardState], rows: list[tuple[int, int, float]], spec: FeatureSpec
) -> list[dict[str, float]]:
    """The definition: each card absorbs its rows in order, features read before each."""
    copies = [CardState(dict(s.days), s.last_seconds) for s in states]
    out = []
    for card, seconds, amount in rows:
        out.append(card_features(copies[card], amount, seconds, spec))
        add_to_card(copies[card], amount, seconds, spec)
    return out


def close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=300, deadline=None)
@given(
    cards=st.lists(st.tuples(stored_state, card_rows), min_size=1, max_size=5),
    card_windows=windows,
)
def test_columns_equal_the_cards_absorbing_one_transaction_at_a_time(
    cards: list[tuple[CardState, list[tuple[int, int]]]], card_windows: tuple[int, ...]
) -> None:
    spec = FeatureSpec(card_windows=card_windows)
    states = [state for state, _ in cards]
    rows = [
        (card, T0 + offset, cents / 100)
        for card, (_, offsets) in enumerate(cards)
        for offset, cents in sorted(offsets)
    ]
    expected = one_at_a_time(states, rows, spec)
    got = card_columns(
        states,
        np.array([card for card, _, _ in rows], dtype=np.int64),
        np.array([seconds for _, seconds, _ in rows], dtype=np.int64),
        np.array([amount for _, _, amount in rows]),
        spec,
    )
    assert set(got) == set(expected[0])
    for name, column in got.items():
        assert len(column) == len(rows)
        for row, want in zip(column.tolist(), expected, strict=True):
            assert close(row, want[name]), (name, row, want[name])


def test_no_rows_give_empty_columns() -> None:
    empty = np.zeros(0, dtype=np.int64)
    got = card_columns([], empty, empty, np.zeros(0))
    assert got
    assert all(len(column) == 0 for column in got.values())


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(T0 - 400 * SECONDS_PER_DAY, T0 + 400 * SECONDS_PER_DAY), cents),
        min_size=1,
        max_size=30,
    )
)
def test_transaction_columns_equal_each_transaction_alone(rows: list[tuple[int, int]]) -> None:
    seconds = np.array([s for s, _ in rows], dtype=np.int64)
    amounts = np.array([cents / 100 for _, cents in rows])
    got = transaction_columns(seconds, amounts)
    for row, (moment, cents) in enumerate(rows):
        expected = transaction_features(cents / 100, moment)
        assert set(got) == set(expected)
        assert all(got[name][row] == value for name, value in expected.items()), moment


terminal_days = st.dictionaries(
    st.integers(20_400 - 50, 20_400 + 2),
    st.tuples(st.integers(0, 900), st.integers(0, 30)).map(lambda b: (float(b[0]), float(b[1]))),
    max_size=45,
)


@settings(max_examples=300, deadline=None)
@given(
    terminals=st.lists(
        st.tuples(terminal_days, st.integers(20_400 - 3, 20_400 + 3)), min_size=1, max_size=8
    ),
    terminal_windows=windows,
    delay=st.integers(0, 10),
    with_labels=st.booleans(),
)
def test_stored_terminal_columns_equal_each_terminal_alone(
    terminals: list[tuple[dict[int, tuple[float, float]], int]],
    terminal_windows: tuple[int, ...],
    delay: int,
    with_labels: bool,
) -> None:
    spec = FeatureSpec(terminal_windows=terminal_windows, label_delay_days=delay)
    states = [TerminalState(days) for days, _ in terminals]
    days = [day for _, day in terminals]
    got = stored_terminal_columns(states, days, spec, with_labels=with_labels)
    for row, (state, day) in enumerate(zip(states, days, strict=True)):
        expected = terminal_features(state, day * SECONDS_PER_DAY, spec, with_labels=with_labels)
        assert set(got) == set(expected)
        for name, value in expected.items():
            found = float(got[name][row])
            assert found == value or (math.isnan(found) and math.isnan(value)), (name, row)
