"""A terminal seen several times in one batch: each transaction sees the batch's earlier ones on
it (when their day is in its windows), and the stored state is never changed in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cardwatch_scorer.model_cache import load_bundle
from cardwatch_scorer.scoring import score_batch
from cardwatch_scorer.state_store import Snapshot
from cardwatch_shared.features.online import TerminalState
from cardwatch_shared.features.spec import SECONDS_PER_DAY, SPEC
from tests.support.models import amount_model
from tests.support.transactions import T0, transaction

pytestmark = pytest.mark.unit


def test_later_transactions_count_the_batch_s_earlier_ones_on_their_terminal() -> None:
    bundle = amount_model("m1")
    model = load_bundle(bundle.model_bytes, bundle.manifest)
    late = SPEC.label_delay_days + 1  # a day every window of today's transactions covers
    batch = [
        transaction(0, card="a", terminal_id="T-9", event_time=T0 - timedelta(days=late)),
        transaction(1, card="b", terminal_id="T-9"),
        transaction(2, card="c", terminal_id="T-9"),
        transaction(3, card="d", terminal_id="T-9", event_time=T0 - timedelta(days=late)),
        transaction(4, card="e", terminal_id="T-9"),
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
