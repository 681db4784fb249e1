"""DynamoDB adapter of the scorer: one BatchGetItem round for verdicts, cards and terminals;
atomic verdict + terminal writes; version-checked card state.

Exactly once in effect: a verdict is written only if none exists for its transaction; a terminal
counts a transaction only if its id is not in the day's id set (same conditional update); a
card's state carries the ids of the transactions it has absorbed and is written only if its
version did not move. No TransactWriteItems: each effect is idempotent on its own.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from cardwatch_shared.contracts import Verdict
from cardwatch_shared.features.online import CardState, TerminalState
from cardwatch_shared.features.spec import SECONDS_PER_DAY, SPEC
from cardwatch_shared.review_queue import needs_review, queued
from cardwatch_shared.score_drift import histogram_key
from cardwatch_shared.state_keys import card_key, terminal_key
from cardwatch_shared.verdict_item import to_item

T = TypeVar("T")
R = TypeVar("R")

BATCH_GET_LIMIT = 100
COUNTS_PER_UPDATE = 30  # ids per conditional update: the condition stays under its 4 KB limit
# A terminal remembers the ids it counted per *processing* day (not event day: a file of old
# history is counted today); an id is checked against today's and yesterday's set. A replay comes
# within the stream mapping's MaximumRecordAgeInSeconds of the first delivery, which the scorer
# template bounds to one day, so both sets cover it. Older sets are dropped as days pass.
SEEN_DAYS_DROPPED = range(2, 9)
_serialize, _deserialize = TypeSerializer().serialize, TypeDeserializer().deserialize


class StaleCardError(RuntimeError):
    """A card's state changed under us; its records must be retried."""


@dataclass
class CardRecord:
    """A card's state, the transactions it has absorbed, and its item version."""

    state: CardState = field(default_factory=CardState)
    applied: list[str] = field(default_factory=list)
    version: int = 0


@dataclass(frozen=True)
class TerminalCount:
    """One transaction to count on its terminal's day (idempotent by transaction id)."""

    terminal_id: str
    day: int
    transaction_id: str
    known_days: tuple[int, ...]


@dataclass
class Snapshot:
    """What the batch needs to read before scoring."""

    existing_verdicts: set[str]
    cards: dict[str, CardRecord]
    terminals: dict[str, TerminalState]


def _day_groups(counts: list[TerminalCount]) -> list[list[TerminalCount]]:
    """A terminal's counts grouped by day (distinct ids, at most COUNTS_PER_UPDATE per group)."""
    by_day: dict[int, dict[str, TerminalCount]] = {}
    for count in counts:
        by_day.setdefault(count.day, {})[count.transaction_id] = count
    groups: list[list[TerminalCount]] = []
    for day in sorted(by_day):
        same_day = list(by_day[day].values())
        groups += [
            same_day[i : i + COUNTS_PER_UPDATE] for i in range(0, len(same_day), COUNTS_PER_UPDATE)
        ]
    return groups


def _terminal_state(item: dict[str, Any]) -> TerminalState:
    days: dict[int, list[float]] = {}
    for name, value in item.items():
        if name[:2] in {"n_", "f_"} and name[2:].isdigit():
            bucket = days.setdefault(int(name[2:]), [0.0, 0.0])
            bucket[0 if name[0] == "n" else 1] = float(value)
    return TerminalState(days=days)


class StateStore:
    """The verdicts table and the state table."""

    def __init__(
        self,
        dynamodb: Any,
        verdicts_table: str,
        state_table: str,
        *,
        writers: int = 1,
        clock: Callable[[], float] = time.time,
        review_score_min: float | None = None,
    ) -> None:
        self._db, self._verdicts, self._state = dynamodb, verdicts_table, state_table
        self._clock = clock
        self._review_score_min = review_score_min
        self._pool = ThreadPoolExecutor(writers, "state-write") if writers > 1 else None

    def _each(self, write: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """`write` over `items`, several in flight at once: each write is independent and
        conditional, so their order does not matter (a batch's latency is one round, not N).
        If one fails, the others still finish first, so that no write of a failed invocation
        can run alongside its retry."""
        if self._pool is None or len(items) < 2:
            return [write(item) for item in items]
        futures = [self._pool.submit(write, item) for item in items]
        wait(futures)  # every write ends before a failure propagates: none outlives the batch
        return [future.result() for future in futures]

    def _batch_get(
        self, requests: list[tuple[str, dict[str, Any], str | None]]
    ) -> list[tuple[str, dict[str, Any]]]:
        found: list[tuple[str, dict[str, Any]]] = []
        for start in range(0, len(requests), BATCH_GET_LIMIT):
            pending: dict[str, Any] = {}
            for table, key, projection in requests[start : start + BATCH_GET_LIMIT]:
                entry = pending.setdefault(table, {"Keys": [], "ConsistentRead": True})
                entry["Keys"].append({k: _serialize(v) for k, v in key.items()})
                if projection:
                    entry["ProjectionExpression"] = projection
            while pending:
                reply = self._db.batch_get_item(RequestItems=pending)
                for table, items in reply.get("Responses", {}).items():
                    found += [(table, {k: _deserialize(v) for k, v in i.items()}) for i in items]
                pending = reply.get("UnprocessedKeys") or {}
        return found

    def snapshot(
        self, tx_ids: Iterable[str], cards: Iterable[str], terminals: Iterable[str]
    ) -> Snapshot:
        """Existing verdicts, card and terminal state for a batch: one BatchGetItem round."""
        requests: list[tuple[str, dict[str, Any], str | None]] = [
            (self._verdicts, {"transaction_id": tx}, "transaction_id") for tx in set(tx_ids)
        ]
        requests += [(self._state, {"pk": card_key(c)}, None) for c in set(cards)]
        requests += [(self._state, {"pk": terminal_key(t)}, None) for t in set(terminals)]
        snap = Snapshot(set(), {}, {})
        for table, item in self._batch_get(requests):
            if table == self._verdicts:
                snap.existing_verdicts.add(item["transaction_id"])
            elif item["pk"].startswith("card#"):
                snap.cards[item["pk"][5:]] = CardRecord(
                    CardState.from_dict(json.loads(item["state"])),
                    json.loads(item["applied"]),
                    int(item["version"]),
                )
            else:
                snap.terminals[item["pk"][9:]] = _terminal_state(item)
        return snap

    def commit(self, verdicts: list[Verdict], counts: list[TerminalCount]) -> set[str]:
        """Write new verdicts (conditional) and count transactions on terminals (idempotent).

        Returns the ids of the verdicts written now; one that already exists is skipped.
        """
        stored = self._each(self._put_verdict, verdicts)
        by_terminal: dict[str, list[TerminalCount]] = {}
        for count in counts:  # one item per terminal: its updates go one after the other
            by_terminal.setdefault(count.terminal_id, []).append(count)
        self._each(self._count_all, list(by_terminal.values()))
        return {v.transaction_id for v, new in zip(verdicts, stored, strict=True) if new}

    def add_scores(self, model_version: str, day: int, counts: list[int]) -> list[int]:
        """Add a batch's score-bin counts to the model's histogram of `day`; the day's counts."""
        names = {f"#b{i}": f"b{i}" for i, n in enumerate(counts) if n}
        values = {f":b{i}": {"N": str(n)} for i, n in enumerate(counts) if n}
        reply = self._db.update_item(
            TableName=self._state,
            Key={"pk": {"S": histogram_key(model_version, day)}},
            UpdateExpression="ADD "
            + ", ".join(f"#b{i} :b{i}" for i in range(len(counts)) if counts[i]),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        item = reply["Attributes"]
        return [int(item.get(f"b{i}", {"N": "0"})["N"]) for i in range(len(counts))]

    def save_cards(self, records: dict[str, CardRecord]) -> dict[str, str]:
        """Save every card's new state; the cards whose state changed concurrently, and why."""

        def save(token: str) -> str | None:
            try:
                self.save_card(token, records[token])
            except StaleCardError as exc:
                return str(exc)
            return None

        errors = self._each(save, list(records))
        return {t: e for t, e in zip(records, errors, strict=True) if e is not None}

    def _put_verdict(self, verdict: Verdict) -> bool:
        item = to_item(verdict)
        if needs_review(verdict, self._review_score_min):
            item = queued(item)
        try:
            self._db.put_item(
                TableName=self._verdicts,
                Item={k: _serialize(v) for k, v in item.items()},
                ConditionExpression="attribute_not_exists(transaction_id)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _count_all(self, counts: list[TerminalCount]) -> None:
        """One terminal's counts: one update per day (a replayed id makes that day's update fail
        its condition, and then its transactions are counted one by one)."""
        for group in _day_groups(counts):
            if not self._count_on_terminal(group):
                for count in group:
                    self._count_on_terminal([count])

    def _count_on_terminal(self, counts: list[TerminalCount]) -> bool:
        """+len(counts) on the terminal's event day, only if none of the ids was counted today or
        yesterday: the ids join today's set in the same conditional update. Old buckets and id
        sets are dropped as the days pass. False if some id was counted (nothing written)."""
        first = counts[0]
        stale = [
            f"{kind}_{d}"
            for d in first.known_days
            if d <= first.day - SPEC.state_days
            for kind in ("n", "f")
        ]
        today = int(self._clock()) // SECONDS_PER_DAY
        stale += [f"seen_{today - age}" for age in SEEN_DAYS_DROPPED]
        names = {"#n": f"n_{first.day}", "#ids": f"seen_{today}", "#prev": f"seen_{today - 1}"}
        names |= {f"#s{i}": name for i, name in enumerate(stale)}
        removal = " REMOVE " + ", ".join(f"#s{i}" for i in range(len(stale)))
        ids = {f":id{i}": {"S": c.transaction_id} for i, c in enumerate(counts)}
        condition = " AND ".join(
            f"NOT contains(#ids, {v}) AND NOT contains(#prev, {v})" for v in ids
        )
        try:
            self._db.update_item(
                TableName=self._state,
                Key={"pk": {"S": terminal_key(first.terminal_id)}},
                UpdateExpression="ADD #n :k, #ids :tx" + removal,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={
                    ":k": {"N": str(len(counts))},
                    ":tx": {"SS": [c.transaction_id for c in counts]},
                }
                | ids,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def save_card(self, token: str, record: CardRecord) -> None:
        """Write a card's new state if nobody else did since it was read."""
        item = {
            "pk": {"S": card_key(token)},
            "state": {"S": json.dumps(record.state.to_dict())},
            "applied": {"S": json.dumps(record.applied)},
            "version": {"N": str(record.version + 1)},
        }
        condition = "attribute_not_exists(pk)" if record.version == 0 else "version = :v"
        values = {":v": {"N": str(record.version)}} if record.version else None
        try:
            self._db.put_item(
                TableName=self._state,
                Item=item,
                ConditionExpression=condition,
                **({"ExpressionAttributeValues": values} if values else {}),
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise StaleCardError(
                    f"card state {card_key(token)[:17]}… changed concurrently"
                ) from exc
            raise
