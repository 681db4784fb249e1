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
from cardwatch_shared.aws_clients import client
from cardwatch_shared.contracts import Verdict
from cardwatch_shared.verdict_item import to_item
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
    items = [to_item(v) for group in groups for v in group[0]]
    return store.commit(items, [c for group in groups for c in group[1]])


def _verdict_ids() -> set[str]:
    items = client("dynamodb").scan(TableName=VERDICTS, ProjectionExpression="transaction_id")
    return {item["transaction_id"]["S"] for item in items["Items"]}


def test_a_replayed_verdict_is_neither_written_nor_counted_again(scorer_stack: ScorerStack) -> None:
    store = StateStore(client("dynamodb"), VERDICTS, STATE)
    assert _commit(store, _new(["a", "b", "c"])) == {"a", "b", "c"}
    assert _commit(store, _new(["b", "d", "e"])) == {"d", "e"}  # b written by the first delivery
    item = scorer_stack.state()["terminal#T1"]
    assert int(item["n_100"]) == 5
    assert _verdict_ids() == {"a", "b", "c", "d", "e"}


def test_days_terminals_and_more_verdicts_than_one_transaction_takes(
    scorer_stack: ScorerStack,
) -> None:
    store = StateStore(client("dynamodb"), VERDICTS, STATE, writers=4)
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
    scorer_stack: ScorerStack,
) -> None:
    store = StateStore(client("dynamodb"), VERDICTS, STATE)
    _commit(store, _new(["a"], day=100), _new(["b"], day=101))
    _commit(store, _new(["late"], day=100, known=(100, 101)), _new(["z"], day=200, known=(100,)))
    item = scorer_stack.state()["terminal#T1"]
    assert int(item["n_100"]) == 2  # a day the update adds to is not dropped with it
    assert int(item["n_200"]) == 1
    _commit(store, _new(["later"], day=201, known=(100, 101, 200)))
    assert set(scorer_stack.state()["terminal#T1"]) == {"pk", "n_200", "n_201"}


def test_a_conflicting_transaction_is_retried(scorer_stack: ScorerStack) -> None:
    contended = ContendedTransactions(client("dynamodb"), conflicts=WRITE_ATTEMPTS - 1)
    store = StateStore(contended, VERDICTS, STATE, pause=lambda _: None)
    assert _commit(store, _new(["a", "b"])) == {"a", "b"}
    assert contended.cancelled == WRITE_ATTEMPTS - 1
    assert int(scorer_stack.state()["terminal#T1"]["n_100"]) == 2


def test_endless_conflicts_fail_the_batch_and_write_nothing(scorer_stack: ScorerStack) -> None:
    contended = ContendedTransactions(client("dynamodb"), conflicts=WRITE_ATTEMPTS)
    store = StateStore(contended, VERDICTS, STATE, pause=lambda _: None)
    with pytest.raises(WriteContendedError, match="T1"):
        _commit(store, _new(["a"]))
    assert _verdict_ids() == set()
    assert "terminal#T1" not in scorer_stack.state()
