"""The batch's snapshot against moto: pages of keys read several at once, keys DynamoDB leaves
unprocessed asked again after a growing pause, and a batch failed for retry when they stay."""

from __future__ import annotations

from typing import Any

import pytest

from cardwatch_scorer.state_items import CardRecord, card_item
from cardwatch_scorer.state_store import READ_ATTEMPTS, ReadThrottledError, StateStore
from cardwatch_shared.aws_clients import client
from cardwatch_shared.features.online import CardState
from cardwatch_shared.state_keys import terminal_key
from tests.integration.scorer.conftest import STATE, VERDICTS, ScorerStack
from tests.support.aws_faults import UnprocessedReads

pytestmark = pytest.mark.integration

CARDS = [f"{i:064x}" for i in range(150)]
TERMINALS = [f"T-{i}" for i in range(150)]
SCORED = [f"tx-{i}" for i in range(100)]  # transactions with a verdict already
NEW = [f"tx-{i}" for i in range(100, 250)]


def stored_state() -> None:
    """150 cards, 150 terminals and 100 verdicts, written with a plain client."""
    dynamodb = client("dynamodb")
    for index, token in enumerate(CARDS):
        record = CardRecord(CardState({100: (float(index + 1), 10.0)}, 8_640_000), version=2)
        dynamodb.put_item(TableName=STATE, Item=card_item(token, record))
    for index, terminal in enumerate(TERMINALS):
        item = {"pk": {"S": terminal_key(terminal)}, "n_100": {"N": str(index + 1)}}
        dynamodb.put_item(TableName=STATE, Item=item)
    for tx in SCORED:
        dynamodb.put_item(TableName=VERDICTS, Item={"transaction_id": {"S": tx}})


def read(store: StateStore) -> Any:
    return store.snapshot(SCORED + NEW, CARDS, TERMINALS)


@pytest.mark.usefixtures("scorer_stack")
def test_pages_are_read_together_and_the_snapshot_is_whole(state_db: Any) -> None:
    stored_state()
    meeting = UnprocessedReads(state_db, times=0, meet=4)  # 550 keys: six pages, four at once
    snap = read(StateStore(meeting, VERDICTS, STATE, in_flight=4))
    assert meeting.calls == 6
    assert snap.existing_verdicts == set(SCORED)
    assert {token: record.state.days for token, record in snap.cards.items()} == {
        token: {100: (float(index + 1), 10.0)} for index, token in enumerate(CARDS)
    }
    assert {record.version for record in snap.cards.values()} == {3}
    assert {t: state.days for t, state in snap.terminals.items()} == {
        terminal: {100: (float(index + 1), 0.0)} for index, terminal in enumerate(TERMINALS)
    }


def test_unprocessed_keys_are_asked_again_after_a_growing_pause(
    scorer_stack: ScorerStack, state_db: Any
) -> None:
    stored_state()
    pauses: list[float] = []
    short = UnprocessedReads(state_db, times=3, keep=1)
    store = StateStore(short, VERDICTS, STATE, pause=pauses.append)
    snap = store.snapshot(SCORED[:5], CARDS[:5], [])
    assert snap.existing_verdicts == set(SCORED[:5])
    assert set(snap.cards) == set(CARDS[:5])
    assert short.calls == 4
    assert len(pauses) == 3
    assert pauses[0] < pauses[1] < pauses[2]


def test_keys_left_unprocessed_fail_the_batch_for_retry(
    scorer_stack: ScorerStack, state_db: Any
) -> None:
    stored_state()
    stuck = UnprocessedReads(state_db, times=READ_ATTEMPTS, keep=1)
    store = StateStore(stuck, VERDICTS, STATE, pause=lambda _: None)
    with pytest.raises(ReadThrottledError, match=f"4 keys still unprocessed after {READ_ATTEMPTS}"):
        store.snapshot(SCORED[:10], [], [])
    assert stuck.calls == READ_ATTEMPTS
