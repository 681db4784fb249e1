"""Window sums of the online state: one pass gives, for any state (few buckets or a month of
them, days after the window's end included) and any windows, what summing each window alone
gives."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_shared.features.online import (
    CardState,
    TerminalState,
    card_features,
    terminal_features,
)
from cardwatch_shared.features.spec import SECONDS_PER_DAY, FeatureSpec

pytestmark = pytest.mark.unit

TODAY = 20_400

buckets = st.dictionaries(
    st.integers(TODAY - 45, TODAY + 2),
    st.tuples(st.integers(1, 9), st.integers(0, 90_000)).map(lambda b: (float(b[0]), b[1] / 100)),
    max_size=48,
)
windows = st.lists(st.integers(1, 40), min_size=1, max_size=4, unique=True).map(tuple)


def window(days: dict[int, tuple[float, float]], first: int, last: int) -> tuple[float, float]:
    """One window summed alone: the definition."""
    inside = [bucket for day, bucket in days.items() if first <= day <= last]
    return sum(b[0] for b in inside), sum(b[1] for b in inside)


def close(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)


@settings(max_examples=300, deadline=None)
@given(days=buckets, card_windows=windows, amount=st.floats(0.01, 5_000))
def test_card_windows_equal_each_window_summed_alone(
    days: dict[int, tuple[float, float]], card_windows: tuple[int, ...], amount: float
) -> None:
    spec = FeatureSpec(card_windows=card_windows)
    seconds = TODAY * SECONDS_PER_DAY + 3_600
    got = card_features(CardState(days), amount, seconds, spec)
    for w in card_windows:
        count, total = window(days, TODAY - w + 1, TODAY)
        mean = (total + amount) / (count + 1)
        assert got[f"card_count_{w}d"] == count + 1
        assert close(got[f"card_mean_amount_{w}d"], mean)
        if w > 1:
            assert close(got[f"amount_to_card_mean_{w}d"], amount / mean)


@settings(max_examples=300, deadline=None)
@given(days=buckets, terminal_windows=windows)
def test_terminal_windows_equal_each_window_summed_alone(
    days: dict[int, tuple[float, float]], terminal_windows: tuple[int, ...]
) -> None:
    spec = FeatureSpec(terminal_windows=terminal_windows)
    seconds = TODAY * SECONDS_PER_DAY + 3_600
    got = terminal_features(TerminalState(days), seconds, spec)
    last = TODAY - spec.label_delay_days
    for w in terminal_windows:
        count, frauds = window(days, last - w + 1, last)
        assert got[f"terminal_count_{w}d"] == count
        assert close(got[f"terminal_risk_{w}d"], frauds / count if count else math.nan)
