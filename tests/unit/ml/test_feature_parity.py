"""Offline (training) and online (scoring) features agree on one history, to float tolerance."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_ml.features_offline import compute_features
from cardwatch_ml.simulator import SimulationConfig, simulate
from cardwatch_shared.features import online
from cardwatch_shared.features.spec import SPEC

pytestmark = pytest.mark.unit
START = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
Row = tuple[str, str, str, float, int, int]  # id, card, terminal, amount, seconds, label


def online_features(rows: list[Row]) -> dict[str, dict[str, float]]:
    """Replay the history through the online state, in event-time order."""
    cards: dict[str, online.CardState] = {}
    terminals: dict[str, online.TerminalState] = {}
    out: dict[str, dict[str, float]] = {}
    for tx_id, card, terminal, amount, seconds, label in sorted(rows, key=lambda r: (r[4], r[0])):
        card_state = cards.setdefault(card, online.CardState())
        term_state = terminals.get(terminal, online.TerminalState())
        out[tx_id] = (
            online.transaction_features(amount, seconds)
            | online.card_features(card_state, amount, seconds)
            | online.terminal_features(term_state, seconds)
        )
        online.add_to_card(card_state, amount, seconds)
        online.add_to_terminal(term_state, seconds)
        terminals[terminal] = online.apply_label(term_state, seconds, bool(label))
    return out


def offline_features(rows: list[Row]) -> dict[str, dict[str, float]]:
    frame = pl.DataFrame(
        {
            "transaction_id": [r[0] for r in rows],
            "card_id": [r[1] for r in rows],
            "terminal_id": [r[2] for r in rows],
            "amount": [r[3] for r in rows],
            "event_time": pl.Series([r[4] * 1_000_000 for r in rows]).cast(
                pl.Datetime("us", "UTC")
            ),
            "label": [r[5] for r in rows],
        }
    )
    features = compute_features(frame)
    return {row["transaction_id"]: row for row in features.iter_rows(named=True)}


def assert_same(rows: list[Row]) -> None:
    names = SPEC.feature_names(with_labels=True, with_channel=False)
    offline, live = offline_features(rows), online_features(rows)
    for tx_id, expected in live.items():
        got = offline[tx_id]
        for name in names:
            a, b = got[name], expected[name]
            assert (math.isnan(a) and math.isnan(b)) or math.isclose(
                a, b, rel_tol=1e-9, abs_tol=1e-9
            ), f"{tx_id} {name}: offline {a} online {b}"


history = st.lists(
    st.tuples(
        st.sampled_from(["c1", "c2", "c3"]),
        st.sampled_from(["t1", "t2"]),
        st.floats(min_value=0.01, max_value=5000, allow_nan=False).map(lambda a: round(a, 2)),
        st.integers(min_value=0, max_value=60 * 86_400),
        st.integers(min_value=0, max_value=1),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(history)
def test_parity_on_generated_histories(events: list[tuple[str, str, float, int, int]]) -> None:
    rows = [(f"tx{i:04d}", c, t, a, START + s, y) for i, (c, t, a, s, y) in enumerate(events)]
    assert_same(rows)


def test_parity_on_a_simulated_history() -> None:
    sim = simulate(SimulationConfig(cards=150, terminals=300, days=45, seed=3))
    tx = sim.transactions.join(sim.labels, on="transaction_id")
    rows = [
        (r["transaction_id"], r["card_number"][-6:], r["terminal_id"], r["amount"],
         int(r["timestamp"].timestamp()), r["label"])
        for r in tx.iter_rows(named=True)
    ]  # fmt: skip
    assert len(rows) > 5_000
    assert_same(rows)
