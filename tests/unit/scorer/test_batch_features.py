"""Which of a batch's transactions are new and what their cards absorb: a replay the card has is
passed over, a replay it lacks is absorbed without being scored again, a transaction delivered
twice in one batch counts once; the new ones see the card with all of that applied before them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_scorer.absorbed_ids import AbsorbedIds
from cardwatch_scorer.batch_features import (
    _absorbing,
    _absorbing_one_by_one,
    in_card_order,
    walk,
)
from cardwatch_scorer.state_items import CardRecord
from cardwatch_scorer.state_store import Snapshot
from cardwatch_shared.features.online import CardState
from cardwatch_shared.features.spec import SECONDS_PER_DAY
from tests.support.transactions import T0, stream_transaction

pytestmark = pytest.mark.unit

DAY = int(T0.timestamp()) // SECONDS_PER_DAY


def test_replays_and_repeats_are_absorbed_once_and_new_ones_see_them() -> None:
    absorbed, unabsorbed = (
        stream_transaction(1, amount="10.00"),
        stream_transaction(2, amount="20.00"),
    )
    new, other_card = (
        stream_transaction(3, amount="40.00"),
        stream_transaction(4, card="b", amount="5.00"),
    )
    stored = CardRecord(
        CardState({DAY - 2: (1.0, 30.0)}, int(T0.timestamp()) - 3600),
        AbsorbedIds.of(["older", absorbed.transaction_id]),
        version=4,
    )
    existing = {absorbed.transaction_id, unabsorbed.transaction_id}
    snap = Snapshot(existing, {absorbed.card_token: stored}, {})
    cards: dict[str, CardRecord] = {}

    found = walk([new, absorbed, other_card, unabsorbed, new], snap, 500, cards, labels=False)

    assert sorted(tx.transaction_id for tx in found.transactions) == ["tx-00003", "tx-00004"]
    at = [tx.transaction_id for tx in found.transactions].index("tx-00003")
    # the stored day and the replay its card had not absorbed, then itself
    assert found.columns["card_count_7d"][at] == 3.0
    assert found.columns["card_mean_amount_7d"][at] == pytest.approx((30.0 + 20.0 + 40.0) / 3)
    assert found.columns["card_count_1d"][at] == 2.0
    assert found.columns["card_seconds_since_last"][at] == 60.0  # after the replay, a minute on
    assert [count.transaction_id for count in found.terminal_counts] == [
        tx.transaction_id for tx in found.transactions
    ]
    card = cards[absorbed.card_token]
    assert card is stored  # the snapshot's own record, changed in place
    assert card.state.days[DAY] == (2.0, 60.0)
    assert card.state.last_seconds == int((T0 + timedelta(minutes=3)).timestamp())
    assert unabsorbed.transaction_id in card.applied
    assert new.transaction_id in card.applied
    assert len(card.applied) == 4
    assert cards[other_card.card_token].state.days == {DAY: (1.0, 5.0)}


def test_a_card_whose_transactions_are_all_absorbed_already_is_not_saved() -> None:
    replay = stream_transaction(1)
    stored = CardRecord(CardState({DAY: (1.0, 25.0)}), AbsorbedIds.of([replay.transaction_id]))
    snap = Snapshot({replay.transaction_id}, {replay.card_token: stored}, {})
    cards: dict[str, CardRecord] = {}
    found = walk([replay, replay], snap, 500, cards, labels=False)
    assert found.transactions == []
    assert cards == {}
    assert stored.state.days == {DAY: (1.0, 25.0)}


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 12), st.sampled_from("abcd"), st.integers(0, 3 * 24 * 60),
            st.integers(1, 99_999),
        ),
        max_size=25,
    ),
    stored=st.sets(st.sampled_from("abcd")),
    existing=st.sets(st.integers(0, 12), max_size=4),
)  # fmt: skip
def test_a_batch_is_taken_whole_exactly_as_one_by_one(
    rows: list[tuple[int, str, int, int]], stored: set[str], existing: set[int]
) -> None:
    """A batch without replays or repeated ids (the usual one) is taken a column at a time; any
    batch, that one included, gives the same rows, cards (the snapshot's own records) and runs as
    a transaction at a time."""
    batch = [
        stream_transaction(
            index, card=card, amount=f"{cents / 100:.2f}", event_time=T0 + timedelta(minutes=minute)
        )
        for index, card, minute, cents in rows
    ]
    absorbed = AbsorbedIds.of(f"tx-{index:05d}" for index in sorted(existing)[::2])
    records = {
        stream_transaction(0, card=card).card_token: CardRecord(applied=absorbed) for card in stored
    }
    snap = Snapshot({f"tx-{index:05d}" for index in existing}, records, {})
    ordered = in_card_order(batch)
    whole, one_by_one = _absorbing(ordered, snap), _absorbing_one_by_one(ordered, snap)
    assert whole == one_by_one
    snapped = {id(record) for record in records.values()}
    assert [id(r) if id(r) in snapped else None for r in whole.records] == [
        id(r) if id(r) in snapped else None for r in one_by_one.records
    ]
