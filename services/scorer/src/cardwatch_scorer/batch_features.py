"""A batch's new transactions and their features, as columns; its cards absorbing it.

Transactions of one card are taken in event-time order; each sees the card's state with the
earlier ones applied. A transaction that already has a verdict (a replay) is not scored nor
counted again (its terminal counted it with the verdict); if its card never absorbed it (the
function died between the two writes) the card absorbs it now.

The features are worked out for the whole batch at once (`batch_columns.py`), from the cards as
stored; then each card absorbs its transactions, in place: the batch owns its snapshot (the store
reads a fresh one for every batch). Terminals are read as stored (`terminal_views.py`: what each
transaction sees of the batch's earlier ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from operator import attrgetter

import numpy as np

from cardwatch_scorer.state_items import CardRecord
from cardwatch_scorer.state_store import Snapshot, TerminalCount
from cardwatch_scorer.stream_transaction import StreamTransaction
from cardwatch_scorer.terminal_views import TerminalViews
from cardwatch_shared.contracts import Channel
from cardwatch_shared.features import online
from cardwatch_shared.features.batch_columns import card_columns, transaction_columns
from cardwatch_shared.features.spec import SECONDS_PER_DAY, SPEC

Columns = dict[str, np.ndarray]
_AMOUNT = attrgetter("amount")


@dataclass
class NewTransactions:
    """The batch's transactions without a verdict, in card order, and their features by column
    (one row each, in the order the verdict's `features` list them)."""

    transactions: list[StreamTransaction]
    columns: Columns
    terminal_counts: list[TerminalCount]


@dataclass
class _Absorbing:
    """What the batch's cards absorb, in card order, as the card columns read it."""

    records: list[CardRecord] = field(default_factory=list)  # every card of the batch, as stored
    cards: list[int] = field(default_factory=list)  # each row's card: its place in `records`
    seconds: list[int] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)
    transactions: list[StreamTransaction] = field(default_factory=list)
    new: list[int] = field(default_factory=list)  # the rows without a verdict
    starts: list[int] = field(default_factory=list)  # the first row of each card's run


def in_card_order(transactions: Sequence[StreamTransaction]) -> list[tuple[StreamTransaction, int]]:
    """Each transaction with its event time in epoch seconds, by card, then time, then id (then
    arrival). Sorted on the epoch seconds the reader gave each, not the datetime: comparing two
    aware datetimes asks each for its offset, and the sort did that a few times a record."""
    keyed = sorted(
        (tx.card_token, tx.event_seconds, tx.transaction_id, index)
        for index, tx in enumerate(transactions)
    )
    return [(transactions[index], int(moment)) for _, moment, _, index in keyed]


def walk(
    transactions: Sequence[StreamTransaction],
    snap: Snapshot,
    keep: int,
    cards: dict[str, CardRecord],
    *,
    labels: bool,
) -> NewTransactions:
    """The new transactions, their features and terminal counts; then every card absorbs its
    transactions (its record changed in place and put in `cards`, keeping at most `keep` ids). A
    replay its card absorbed already is passed over."""
    ordered = in_card_order(transactions)
    run = _absorbing(ordered, snap)
    pending = [run.transactions[row] for row in run.new]
    columns, moments = _new_columns(run)
    views = TerminalViews(snap.terminals, [moment for _, moment in ordered], with_labels=labels)
    columns.update(_terminal_columns(views, pending, moments, labels=labels))
    remote = Channel.CARD_NOT_PRESENT  # an enum member's lookup costs more than the test
    columns["is_card_not_present"] = np.asarray([tx.channel is remote for tx in pending], float)
    counts = _terminal_counts(pending, moments, snap)
    _absorb(run, keep, cards)
    return NewTransactions(pending, columns, counts)


def _new_columns(run: _Absorbing) -> tuple[Columns, list[int]]:
    """The new transactions' own and card columns (from the cards as stored), and their times."""
    seconds = np.asarray(run.seconds, dtype=np.int64)
    amounts = np.asarray(run.amounts, dtype=np.float64)
    new = np.asarray(run.new, dtype=np.intp)
    columns = transaction_columns(seconds[new], amounts[new])
    states = [record.state for record in run.records]
    card = card_columns(states, np.asarray(run.cards, dtype=np.int64), seconds, amounts)
    columns.update((name, column[new]) for name, column in card.items())
    return columns, seconds[new].tolist()


def _absorbing(ordered: list[tuple[StreamTransaction, int]], snap: Snapshot) -> _Absorbing:
    """The transactions each card absorbs: not twice in one batch, nor a replay it has (its
    stored ids are consulted only for a transaction that has a verdict)."""
    transactions = [tx for tx, _ in ordered]
    ids = [tx.transaction_id for tx in transactions]
    if ids and snap.existing_verdicts.isdisjoint(ids) and len(set(ids)) == len(ids):
        return _all_absorbed(ordered, transactions, snap)
    return _absorbing_one_by_one(ordered, snap)


def _absorbing_one_by_one(
    ordered: list[tuple[StreamTransaction, int]], snap: Snapshot
) -> _Absorbing:
    """`_absorbing`, a transaction at a time: for a batch with replays or repeated ids."""
    run = _Absorbing()
    places: dict[str, int] = {}
    taken: set[tuple[str, str]] = set()
    existing = snap.existing_verdicts
    for tx, seconds in ordered:
        token, tx_id = tx.card_token, tx.transaction_id
        place = places.get(token)
        if place is None:
            place = places[token] = len(run.records)
            run.records.append(snap.cards.get(token) or CardRecord())
        if (token, tx_id) in taken:
            continue
        replay = tx_id in existing
        if replay and tx_id in run.records[place].applied:
            continue
        taken.add((token, tx_id))
        row = len(run.seconds)
        if not replay:
            run.new.append(row)
        if not row or run.cards[-1] != place:
            run.starts.append(row)
        run.cards.append(place)
        run.seconds.append(seconds)
        run.amounts.append(float(tx.amount))
        run.transactions.append(tx)
    return run


def _all_absorbed(
    ordered: list[tuple[StreamTransaction, int]],
    transactions: list[StreamTransaction],
    snap: Snapshot,
) -> _Absorbing:
    """`_absorbing` of a batch without replays or repeated ids (the usual one), not empty: every
    row new, taken a column at a time."""
    tokens = [tx.card_token for tx in transactions]
    starts = [0, *(row for row, (a, b) in enumerate(pairwise(tokens), 1) if a != b)]
    stored = snap.cards.get
    sizes = np.diff([*starts, len(tokens)])
    return _Absorbing(
        records=[stored(tokens[start]) or CardRecord() for start in starts],
        cards=np.repeat(np.arange(len(starts)), sizes).tolist(),
        seconds=[seconds for _, seconds in ordered],
        amounts=list(map(float, map(_AMOUNT, transactions))),
        transactions=transactions,
        new=list(range(len(tokens))),
        starts=starts,
    )


def _terminal_columns(
    views: TerminalViews, pending: list[StreamTransaction], moments: list[int], *, labels: bool
) -> Columns:
    """Each new transaction's terminal features, in card order (the order the views count)."""
    names = [
        name
        for count, risk in online.terminal_names(SPEC.terminal_windows)
        for name in ((count, risk) if labels else (count,))
    ]
    seen = list(zip([tx.terminal_id for tx in pending], moments, strict=True))
    table = views.table(seen, names)
    return {name: table[:, at] for at, name in enumerate(names)}


def _terminal_counts(
    pending: list[StreamTransaction], moments: list[int], snap: Snapshot
) -> list[TerminalCount]:
    """Each new transaction's count on its terminal, with the days the terminal's item holds."""
    terminals = [tx.terminal_id for tx in pending]
    known = {terminal: _stored_days(snap, terminal) for terminal in set(terminals)}
    new, day = tuple.__new__, SECONDS_PER_DAY
    return [  # tuple.__new__ skips the named tuple's Python-level constructor: half the cost
        new(TerminalCount, (terminal, moment // day, tx.transaction_id, known[terminal]))
        for terminal, moment, tx in zip(terminals, moments, pending, strict=True)
    ]


def _stored_days(snap: Snapshot, terminal: str) -> tuple[int, ...]:
    """The days a terminal's stored item holds (none for a terminal new to the store)."""
    stored = snap.terminals.get(terminal)
    return tuple(stored.days) if stored is not None else ()


def _absorb(run: _Absorbing, keep: int, cards: dict[str, CardRecord]) -> None:
    """Each card takes its run of transactions, in order: its state, and their ids."""
    bounds = [*run.starts, len(run.seconds)]
    for start, end in pairwise(bounds):
        record = run.records[run.cards[start]]
        moments = zip(run.amounts[start:end], run.seconds[start:end], strict=True)
        online.add_all_to_card(record.state, moments)
        record.applied.extend([tx.transaction_id for tx in run.transactions[start:end]], keep)
        cards[run.transactions[start].card_token] = record
