"""Terminal counts: each verdict counted on its terminal in the same transaction, exactly once;
a terminal's item holds counts only, whatever its traffic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cardwatch_scorer.state_store import (
    VERDICTS_PER_WRITE,
    WRITE_ATTEMPTS,
    StateStore,
    TerminalCount,
    WriteContendedError,
)
from cardwatch_scorer.verdict_record import VerdictRecord
from cardwatch_shared.aws_clients import client
from cardwatch_shared.contracts import Verdict
from tests.integration.scorer.conftest import STATE, VERDICTS, ScorerStack
from tests.support.aws_faults import ContendedTransactions
from tests.support.verdicts import sample_verdict

pytestmark = pytest.mark.integration

DAY_100 = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=100, hours=10)


def _new(ids: list[str], day: int = 100, terminal: str = "T1", known: tuple[int, ...] = ()) -> Any:
    """(verdicts, counts) of new transactions `ids` on `terminal`'s event `day`."""
    moment = DAY_100 + timedelta(days=day - 100)
    verdicts = [
        sample_verdict(transaction_id=i, terminal_id=terminal, event_time=moment.isoformat())
        for i in ids
    ]
    return verdicts, [TerminalCount(terminal, day, i, known) for i in ids]


def _commit(store: StateStore, *groups: tuple[list[Verdict], list[TerminalCount]]) -> set[str]:
    records = [VerdictRecord.of(v) for group in groups for v in group[0]]
    return store.commit(records, [c for group in groups for c in group[1]])


def _verdict_ids() -> set[str]:
    items = client("dynamodb").scan(TableName=VERDICTS, ProjectionExpression="transaction_id")
    return {item["transaction_id"]["S"] for item in items["Items"]}


def test_a_replayed_verdict_is_neither_written_nor_counted_again(
    scorer_stack: ScorerStack, state_db: Any
) -> None:
    store = StateStore(state_db, VERDICTS, STATE)
    assert _commit(store, _new(["a", "b", "c"])) == {"a", "b", "c"}
    assert _commit(store, _new(["b", "d", "e"])) == {"d", "e"}  # b written by the first delivery
    item = scorer_stack.state()["terminal#T1"]
    assert int(item["n_100"]) == 5
    assert _verdict_ids() == {"a", "b", "c", "d", "e"}


def test_days_terminals_and_more_verdicts_than_one_transaction_takes(
    scorer_stack: ScorerStack, state_db: Any
) -> None:
    store = StateStore(state_db, VERDICTS, STATE, in_flight=4)
    many = [f"t{i}" for i in range(VERDICTS_PER_WRITE * 2 + 3)]
    first = _commit(store, _new(many), _new(["x"], day=101), _new(["y"], terminal="T2"))
    assert len(first) == len(many) + 2
    assert _commit(store, _new(many), _new(["x"], day=101)) == set()  # the whole batch again
    state = scorer_stack.state()
    assert int(state["terminal#T1"]["n_100"]) == len(many)
    assert int(state["terminal#T1"]["n_101"]) == 1
    assert int(state["terminal#T2"]["n_100"]) == 1
    assert set(state["terminal#T1"]) == {"pk", "n_100", "n_101"}  # counts only, no ids


def test_days_out_of_the_window_are_dropped_never_the_ones_counted(
    scorer_stack: ScorerStack, state_db: Any
) -> None:
    store = StateStore(state_db, VERDICTS, STATE)
    _commit(store, _new(["a"], day=100), _new(["b"], day=101))
    _commit(store, _new(["late"], day=100, known=(100, 101)), _new(["z"], day=200, known=(100,)))
    item = scorer_stack.state()["terminal#T1"]
    assert int(item["n_100"]) == 2  # a day the update adds to is not dropped with it
    assert int(item["n_200"]) == 1
    _commit(store, _new(["later"], day=201, known=(100, 101, 200)))
    assert set(scorer_stack.state()["terminal#T1"]) == {"pk", "n_200", "n_201"}


def test_a_conflicting_transaction_is_retried(scorer_stack: ScorerStack, state_db: Any) -> None:
    contended = ContendedTransactions(state_db, conflicts=WRITE_ATTEMPTS - 1)
    store = StateStore(contended, VERDICTS, STATE, pause=lambda _: None)
    assert _commit(store, _new(["a", "b"])) == {"a", "b"}
    assert contended.cancelled == WRITE_ATTEMPTS - 1
    assert int(scorer_stack.state()["terminal#T1"]["n_100"]) == 2


def test_endless_conflicts_fail_the_batch_and_write_nothing(
    scorer_stack: ScorerStack, state_db: Any
) -> None:
    contended = ContendedTransactions(state_db, conflicts=WRITE_ATTEMPTS)
    store = StateStore(contended, VERDICTS, STATE, pause=lambda _: None)
    with pytest.raises(WriteContendedError, match="T1"):
        _commit(store, _new(["a"]))
    assert _verdict_ids() == set()
    assert "terminal#T1" not in scorer_stack.state()


def test_terminals_of_a_verdict_or_two_share_transactions(
    scorer_stack: ScorerStack, state_db: Any
) -> None:
    counted = ContendedTransactions(state_db, conflicts=0)
    store = StateStore(counted, VERDICTS, STATE, in_flight=4)
    terminals = [_new([f"a{i}"], terminal=f"T{i}") for i in range(120)]
    assert len(_commit(store, *terminals)) == 120
    assert counted.calls == 3, "50 terminals of one verdict each take a transaction of 100 actions"
    again = [_new([f"a{i}", f"b{i}"], terminal=f"T{i}") for i in range(0, 120, 2)]
    assert _commit(store, *again) == {f"b{i}" for i in range(0, 120, 2)}
    state = scorer_stack.state()
    assert [int(state[f"terminal#T{i}"]["n_100"]) for i in range(4)] == [2, 1, 2, 1]
    assert sum(int(state[f"terminal#T{i}"]["n_100"]) for i in range(120)) == 180
    assert len(_verdict_ids()) == 180


def test_a_conflict_on_a_shared_transaction_writes_each_terminal_on_its_own(
    scorer_stack: ScorerStack, state_db: Any
) -> None:
    contended = ContendedTransactions(state_db, conflicts=1)
    store = StateStore(contended, VERDICTS, STATE, pause=lambda _: None)
    terminals = [_new([f"a{i}", f"b{i}"], terminal=f"T{i}") for i in range(3)]
    assert len(_commit(store, *terminals)) == 6
    assert contended.calls == 4, "one shared transaction cancelled, then one per terminal"
    state = scorer_stack.state()
    assert [int(state[f"terminal#T{i}"]["n_100"]) for i in range(3)] == [2, 2, 2]
