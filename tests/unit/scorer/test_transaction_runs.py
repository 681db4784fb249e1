"""How a batch's verdicts and terminal counts are cut into transactions of at most 100 actions."""

from __future__ import annotations

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from cardwatch_scorer.state_store import (
    TRANSACTION_ACTIONS,
    VERDICTS_PER_WRITE,
    Pair,
    TerminalCount,
    transaction_runs,
)
from cardwatch_scorer.verdict_record import VerdictRecord
from tests.support.verdicts import sample_verdict

SAMPLE = VerdictRecord.of(sample_verdict())


def _terminals(sizes: list[int]) -> list[list[Pair]]:
    """Verdicts (records and counts) on terminal T<i>, `sizes[i]` of them."""
    out = []
    for t, size in enumerate(sizes):
        ids = [f"T{t}-{n}" for n in range(size)]
        out.append([(_record(i, f"T{t}"), TerminalCount(f"T{t}", 100, i, ())) for i in ids])
    return out


def _record(transaction_id: str, terminal: str) -> VerdictRecord:
    return msgspec.structs.replace(SAMPLE, transaction_id=transaction_id, terminal_id=terminal)


def _actions(pairs: list[Pair]) -> int:
    return len(pairs) + len({count.terminal_id for _, count in pairs})


def test_a_thousand_terminals_of_one_verdict_take_twenty_transactions() -> None:
    runs = transaction_runs(_terminals([1] * 1000))
    assert [len(run) for run in runs] == [1] * 20
    assert all(_actions(run[0]) == TRANSACTION_ACTIONS for run in runs)


def test_a_busy_terminal_has_a_run_of_its_own() -> None:
    runs = transaction_runs(_terminals([3, 250, 4]))
    assert [[len(t) for t in run] for run in runs] == [[99, 99, 52], [7]]


@given(st.lists(st.integers(min_value=1, max_value=260), max_size=40))
def test_every_verdict_once_in_transactions_a_terminal_does_not_share(sizes: list[int]) -> None:
    terminals = _terminals(sizes)
    runs = transaction_runs(terminals)
    transactions = [pairs for run in runs for pairs in run]
    written = [record.transaction_id for pairs in transactions for record, _ in pairs]
    assert sorted(written) == sorted(r.transaction_id for t in terminals for r, _ in t)
    assert all(_actions(pairs) <= TRANSACTION_ACTIONS for pairs in transactions)
    for pairs, size in zip(terminals, sizes, strict=True):
        name = pairs[0][1].terminal_id
        holding = [t for t in transactions if any(c.terminal_id == name for _, c in t)]
        if size <= VERDICTS_PER_WRITE:
            assert len(holding) == 1, "a terminal's verdicts and its count go in one transaction"
        else:
            assert holding in runs, "a busy terminal's transactions form one run, written in turn"
