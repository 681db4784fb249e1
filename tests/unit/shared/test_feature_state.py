"""A card's and a terminal's state survive their stored JSON form, which keeps the format items
already hold: day keys as strings, each day's bucket as an array of two numbers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_shared.features.online import (
    CardState,
    TerminalState,
    add_all_to_card,
    add_to_card,
)
from cardwatch_shared.features.spec import SECONDS_PER_DAY

pytestmark = pytest.mark.unit

buckets = st.dictionaries(
    st.integers(0, 30_000),
    st.tuples(st.floats(0, 1e6, allow_nan=False), st.floats(0, 1e6, allow_nan=False)),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(days=buckets, last=st.none() | st.integers(0, 2**40))
def test_states_survive_their_json(days: dict[int, tuple[float, float]], last: int | None) -> None:
    card = CardState(days, last)
    assert CardState.from_dict(json.loads(json.dumps(card.to_dict()))) == card
    terminal = TerminalState(days)
    assert TerminalState.from_dict(json.loads(json.dumps(terminal.to_dict()))) == terminal


def test_a_card_is_stored_as_day_columns_and_the_state_is_not_shared() -> None:
    card = CardState({20_400: (2.0, 37.5), 20_399: (1.0, 5.0)}, 1_762_600_000)
    stored = card.to_dict()
    assert json.dumps(stored) == (
        '{"days": {"day": [20400, 20399], "count": [2.0, 1.0], "amount": [37.5, 5.0]}, '
        '"last": 1762600000}'
    )
    add_to_card(card, 10.0, 20_400 * 86_400)
    assert stored["days"]["count"] == [2.0, 1.0], "to_dict is a copy, not the live state"
    assert json.dumps(CardState().to_dict()) == (
        '{"days": {"day": [], "count": [], "amount": []}, "last": null}'
    )


def test_a_card_stored_before_day_columns_reads_the_same() -> None:
    before = {"days": {"20400": [2.0, 37.5], "20399": [1, 5]}, "last": 1_762_600_000}
    card = CardState.from_dict(before)
    assert card == CardState({20_400: (2.0, 37.5), 20_399: (1.0, 5.0)}, 1_762_600_000)
    assert CardState.from_dict({"days": {}, "last": None}) == CardState()


def test_a_card_whose_columns_differ_in_length_is_refused() -> None:
    with pytest.raises(ValueError, match="zip"):
        CardState.from_dict({"days": {"day": [20_400, 20_399], "count": [1.0], "amount": [2.0]}})


@settings(max_examples=200, deadline=None)
@given(
    days=buckets,
    last=st.none() | st.integers(0, 30_000 * SECONDS_PER_DAY),
    moments=st.lists(
        st.tuples(st.integers(1, 90_000).map(lambda cents: cents / 100),
                  st.integers(0, 30_000 * SECONDS_PER_DAY)),
        max_size=20,
    ),
)  # fmt: skip
def test_a_card_absorbing_a_run_at_once_ends_as_one_at_a_time(
    days: dict[int, tuple[float, float]], last: int | None, moments: list[tuple[float, int]]
) -> None:
    in_order = sorted(moments, key=lambda moment: moment[1])
    one_by_one, at_once = CardState(dict(days), last), CardState(dict(days), last)
    for amount, seconds in in_order:
        add_to_card(one_by_one, amount, seconds)
    add_all_to_card(at_once, in_order)
    assert at_once == one_by_one
