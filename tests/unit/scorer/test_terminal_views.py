"""A terminal seen several times in one batch: each transaction sees the batch's earlier ones on
it (when their day is in its windows), and the stored state is never changed in place; a batch
that spans fewer days than the label delay reads the stored state alone, with the same figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from cardwatch_scorer.model_cache import load_bundle
from cardwatch_scorer.scoring import score_batch
from cardwatch_scorer.state_store import Snapshot
from cardwatch_scorer.terminal_views import TerminalViews
from cardwatch_shared.features.online import TerminalState
from cardwatch_shared.features.spec import SECONDS_PER_DAY, SPEC
from tests.support.models import amount_model
from tests.support.transactions import T0, stream_transaction

pytestmark = pytest.mark.unit


def test_later_transactions_count_the_batch_s_earlier_ones_on_their_terminal() -> None:
    bundle = amount_model("m1")
    model = load_bundle(bundle.model_bytes, bundle.manifest)
    late = SPEC.label_delay_days + 1  # a day every window of today's transactions covers
    batch = [
        stream_transaction(0, card="a", terminal_id="T-9", event_time=T0 - timedelta(days=late)),
        stream_transaction(1, card="b", terminal_id="T-9"),
        stream_transaction(2, card="c", terminal_id="T-9"),
        stream_transaction(3, card="d", terminal_id="T-9", event_time=T0 - timedelta(days=late)),
        stream_transaction(4, card="e", terminal_id="T-9"),
    ]
    stored_day = int(T0.timestamp()) // SECONDS_PER_DAY - late
    stored = TerminalState({stored_day: (5.0, 0.0)})
    snap = Snapshot(set(), {}, {"T-9": stored})
    scored = score_batch(batch, snap, model, datetime.now(UTC), 500)
    order = sorted(batch, key=lambda t: t.card_token)
    seen = {v.transaction_id: v.features["terminal_count_7d"] for v in scored.verdicts()}
    expected, late_before = {}, 0
    for tx in order:
        is_late = tx.event_time < T0
        expected[tx.transaction_id] = 0.0 if is_late else 5.0 + late_before
        late_before += is_late
    assert seen == expected
    assert stored.days == {stored_day: (5.0, 0.0)}, "the snapshot's state is not changed"


def _stored(day: int) -> dict[str, TerminalState]:
    """Two terminals with 37 days of counts, a fraud every fifth day."""
    days = {day - age: (40.0 + age, float(age % 5 == 0)) for age in range(SPEC.state_days)}
    return {"T-1": TerminalState(dict(days)), "T-2": TerminalState({day - 9: (3.0, 1.0)})}


@pytest.mark.parametrize("with_labels", [True, False])
def test_a_short_batch_reads_the_stored_state_with_the_same_figures(with_labels: bool) -> None:
    start = int(T0.timestamp())
    day = start // SECONDS_PER_DAY
    # a batch over two days (midnight inside it), its terminals seen many times, one never stored
    moments = [start + 3_600 * hour for hour in range(0, 30, 2)]
    seen = [("T-1", s) for s in moments] + [("T-2", s) for s in moments] + [("T-3", moments[0])]
    assert moments[-1] // SECONDS_PER_DAY > day, "the batch crosses midnight"
    short = TerminalViews(_stored(day), moments, with_labels=with_labels)
    week = [*moments, moments[0] + SPEC.label_delay_days * SECONDS_PER_DAY]  # as long as the delay
    counted = TerminalViews(_stored(day), week, with_labels=with_labels)
    for terminal_id, seconds in seen:
        assert short.see(terminal_id, seconds) == counted.see(terminal_id, seconds)
    assert short.see("T-1", start) == short.see("T-1", start + 60), "one day, one view"
    assert short.see("T-1", start)["terminal_count_7d"] > 0
    assert ("terminal_risk_7d" in short.see("T-1", start)) is with_labels


def test_a_batch_as_long_as_the_delay_counts_its_own_transactions() -> None:
    start = int(T0.timestamp())
    stored = _stored(start // SECONDS_PER_DAY)
    late = start + SPEC.label_delay_days * SECONDS_PER_DAY  # its windows cover `start`'s day
    views = TerminalViews(stored, [start, late], with_labels=False)
    before = views.see("T-2", late)["terminal_count_1d"]  # it counts on its own day, not start's
    views.see("T-2", start)
    views.see("T-2", start + 60)
    assert views.see("T-2", late)["terminal_count_1d"] == before + 2
    assert stored["T-2"].days == _stored(start // SECONDS_PER_DAY)["T-2"].days, "copies only"


@pytest.mark.parametrize("with_labels", [True, False])
@pytest.mark.parametrize("days_long", [1, SPEC.label_delay_days])
def test_a_table_holds_what_each_transaction_sees_one_by_one(
    days_long: int, with_labels: bool
) -> None:
    """Short batches work out a terminal's features once a day; long ones count as they go:
    either way the table's rows are those of `see`, transaction by transaction."""
    start = int(T0.timestamp())
    moments = [start + 3_600 * hour for hour in range(0, 30, 3)]
    moments.append(start + days_long * SECONDS_PER_DAY)
    seen = [(f"T-{1 + i % 3}", seconds) for i, seconds in enumerate(moments)]
    seen += [("T-1", moments[-1]), ("T-2", start)]
    names = ["terminal_count_1d", "terminal_count_7d", "terminal_count_30d"]
    names += ["terminal_risk_7d", "terminal_risk_30d"] if with_labels else []
    every_moment = [seconds for _, seconds in seen]
    stored = _stored(start // SECONDS_PER_DAY)
    table = TerminalViews(stored, every_moment, with_labels=with_labels).table(seen, names)
    one_by_one = TerminalViews(
        _stored(start // SECONDS_PER_DAY), every_moment, with_labels=with_labels
    )
    views = [one_by_one.see(terminal, seconds) for terminal, seconds in seen]  # once each
    rows = [[view[name] for name in names] for view in views]
    np.testing.assert_array_equal(table, np.asarray(rows))
    assert table.shape == (len(seen), len(names))
    assert len({tuple(row) for row in table.tolist()}) > 1
