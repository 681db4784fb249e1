"""Terminal counts: one conditional update per terminal and day, exactly once per transaction."""

from __future__ import annotations

import pytest

from cardwatch_scorer.state_store import COUNTS_PER_UPDATE, StateStore, TerminalCount
from cardwatch_shared.aws_clients import client
from tests.integration.scorer.conftest import STATE, VERDICTS, ScorerStack

pytestmark = pytest.mark.integration


def _counts(ids: list[str], day: int = 100, terminal: str = "T1") -> list[TerminalCount]:
    return [TerminalCount(terminal, day, i, ()) for i in ids]


def test_a_replayed_id_in_a_group_counts_only_the_new_ones(scorer_stack: ScorerStack) -> None:
    store = StateStore(client("dynamodb"), VERDICTS, STATE)
    store.commit([], _counts(["a", "b", "c"]))
    store.commit([], _counts(["b", "d", "d", "e"]))  # b replayed, d twice in one batch
    item = scorer_stack.state()["terminal#T1"]
    assert int(item["n_100"]) == 5
    assert set(item["ids_100"]) == {"a", "b", "c", "d", "e"}


def test_days_and_terminals_are_counted_apart(scorer_stack: ScorerStack) -> None:
    store = StateStore(client("dynamodb"), VERDICTS, STATE, writers=4)
    many = [f"t{i}" for i in range(COUNTS_PER_UPDATE * 2 + 3)]  # more ids than one update takes
    store.commit([], _counts(many) + _counts(["x"], day=101) + _counts(["y"], terminal="T2"))
    store.commit([], _counts(many))  # the whole batch again
    state = scorer_stack.state()
    assert int(state["terminal#T1"]["n_100"]) == len(many)
    assert int(state["terminal#T1"]["n_101"]) == 1
    assert int(state["terminal#T2"]["n_100"]) == 1
