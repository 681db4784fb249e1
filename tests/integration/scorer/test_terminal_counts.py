"""Terminal counts: one conditional update per terminal and day, exactly once per transaction."""

from __future__ import annotations

import time

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
    assert set(item[f"seen_{int(time.time()) // 86_400}"]) == {"a", "b", "c", "d", "e"}


def test_days_and_terminals_are_counted_apart(scorer_stack: ScorerStack) -> None:
    store = StateStore(client("dynamodb"), VERDICTS, STATE, writers=4)
    many = [f"t{i}" for i in range(COUNTS_PER_UPDATE * 2 + 3)]  # more ids than one update takes
    store.commit([], _counts(many) + _counts(["x"], day=101) + _counts(["y"], terminal="T2"))
    store.commit([], _counts(many))  # the whole batch again
    state = scorer_stack.state()
    assert int(state["terminal#T1"]["n_100"]) == len(many)
    assert int(state["terminal#T1"]["n_101"]) == 1
    assert int(state["terminal#T2"]["n_100"]) == 1


def test_a_replay_of_an_old_day_after_newer_days_still_counts_once(
    scorer_stack: ScorerStack,
) -> None:
    """Found by the chaos run: ids were kept per event day and dropped two event days later, so
    a replay of older history after newer days was counted again."""
    store = StateStore(client("dynamodb"), VERDICTS, STATE)
    store.commit([], _counts(["a", "b"], day=100))
    later = [TerminalCount("T1", 105, "z", (100,))]
    store.commit([], later)
    store.commit([], _counts(["a", "b"], day=100))  # the crash-replay of the first batch
    item = scorer_stack.state()["terminal#T1"]
    assert int(item["n_100"]) == 2
    assert int(item["n_105"]) == 1


def test_ids_are_remembered_across_midnight_and_forgotten_later(
    scorer_stack: ScorerStack,
) -> None:
    now = [1_000 * 86_400 + 86_000.0]
    store = StateStore(client("dynamodb"), VERDICTS, STATE, clock=lambda: now[0])
    store.commit([], _counts(["a"]))
    now[0] += 1_000  # just after midnight: yesterday's set still guards the replay
    store.commit([], _counts(["a"]))
    assert int(scorer_stack.state()["terminal#T1"]["n_100"]) == 1
    now[0] += 3 * 86_400
    store.commit([], _counts(["b"]))
    item = scorer_stack.state()["terminal#T1"]
    assert not any(name in item for name in ("seen_1000", "seen_1001"))
    assert set(item["seen_1004"]) == {"b"}
