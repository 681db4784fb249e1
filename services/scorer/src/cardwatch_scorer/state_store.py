"""DynamoDB adapter of the scorer: one BatchGetItem round for verdicts, cards and terminals;
verdicts written together with their terminal's count; version-checked card state.

Exactly once in effect: a terminal's verdicts and its count go in one TransactWriteItems, each
verdict on condition that none exists for its transaction, so a transaction is counted exactly
when its verdict is first written (no per-terminal id sets, which would outgrow DynamoDB's 400 KB
item limit on a busy terminal). A card's state carries the (digests of the) ids of the
transactions it has absorbed and is written only if its version did not move.

The handler gives it a client that writes and reads DynamoDB's JSON itself for BatchGetItem,
TransactWriteItems and PutItem (`cardwatch_shared.aws_wire`); a plain boto3 client works the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

from botocore.exceptions import ClientError

from cardwatch_scorer.state_items import CardRecord, card_item, card_record, terminal_state
from cardwatch_scorer.verdict_record import VerdictRecord
from cardwatch_shared.attribute_values import attribute_map
from cardwatch_shared.features.online import TerminalState
from cardwatch_shared.features.spec import SPEC
from cardwatch_shared.retry_pause import retry_pause
from cardwatch_shared.review_queue import PENDING, REVIEW_ATTRIBUTE, needs_review
from cardwatch_shared.score_drift import histogram_key
from cardwatch_shared.state_keys import card_key, terminal_key

T = TypeVar("T")
R = TypeVar("R")
Pair = tuple[VerdictRecord, "TerminalCount"]  # a verdict and its terminal count

BATCH_GET_LIMIT = 100
TRANSACTION_ACTIONS = 100  # what TransactWriteItems takes
VERDICTS_PER_WRITE = TRANSACTION_ACTIONS - 1  # of one terminal: its verdicts and its count
WRITE_ATTEMPTS = 6  # of one transaction cancelled by a conflict or a throttle
READ_ATTEMPTS = 6  # of one BatchGetItem page whose keys DynamoDB leaves unprocessed
RETRYABLE = frozenset({"None", "TransactionConflict", "ThrottlingError"})


class StaleCardError(RuntimeError):
    """A card's state changed under us; its records must be retried."""


class ReadThrottledError(RuntimeError):
    """DynamoDB kept leaving keys of a snapshot unprocessed; Lambda retries the batch."""


class WriteContendedError(RuntimeError):
    """A terminal's verdicts could not be written for conflicts or throttles; Lambda retries."""


class TerminalCount(NamedTuple):
    """A new verdict's count on its terminal's event day (`known_days`: the days the terminal's
    item holds, so that those out of the window are dropped in the same update). A named tuple:
    one is made per transaction."""

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


class StateStore:
    """The verdicts table and the state table."""

    def __init__(
        self,
        dynamodb: Any,
        verdicts_table: str,
        state_table: str,
        *,
        in_flight: int = 1,
        review_score_min: float | None = None,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self._db, self._verdicts, self._state = dynamodb, verdicts_table, state_table
        self._pause = pause
        self._review_score_min = review_score_min
        self._pool = ThreadPoolExecutor(in_flight, "state-io") if in_flight > 1 else None

    def _each(self, call: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """`call` over `items`, up to `in_flight` at once: each is independent (a read, or a
        conditional write), so their order does not matter (a batch's latency is one round, not
        N). If one fails, the others still finish first, so that no write of a failed
        invocation can run alongside its retry."""
        if self._pool is None or len(items) < 2:
            return [call(item) for item in items]
        futures = [self._pool.submit(call, item) for item in items]
        wait(futures)  # every call ends before a failure propagates: none outlives the batch
        return [future.result() for future in futures]

    def _batch_get(
        self, requests: list[tuple[str, dict[str, Any], str | None]]
    ) -> list[tuple[str, dict[str, Any]]]:
        """(table, item as attribute values) of every key found. Pages of 100 keys are read
        several at once, as the writes are: a batch of 1,000 records on as many cards and
        terminals reads 30 pages, and one after the other they were 30 round trips."""
        pages = [requests[start : start + BATCH_GET_LIMIT]
                 for start in range(0, len(requests), BATCH_GET_LIMIT)]  # fmt: skip
        return [found for page in self._each(self._read_page, pages) for found in page]

    def _read_page(
        self, requests: list[tuple[str, dict[str, Any], str | None]]
    ) -> list[tuple[str, dict[str, Any]]]:
        """One BatchGetItem of at most 100 keys; the keys DynamoDB leaves unprocessed (throttled,
        or over its 16 MB reply) are asked again after a growing pause, as AWS advises."""
        pending: dict[str, Any] = {}
        for table, key, projection in requests:
            entry = pending.setdefault(table, {"Keys": [], "ConsistentRead": True})
            entry["Keys"].append(attribute_map(key))
            if projection:
                entry["ProjectionExpression"] = projection
        found: list[tuple[str, dict[str, Any]]] = []
        for attempt in range(READ_ATTEMPTS):
            if attempt:
                self._pause(retry_pause(attempt - 1))
            reply = self._db.batch_get_item(RequestItems=pending)
            for table, items in reply.get("Responses", {}).items():
                found += [(table, item) for item in items]
            pending = reply.get("UnprocessedKeys") or {}
            if not pending:
                return found
        left = sum(len(entry["Keys"]) for entry in pending.values())
        raise ReadThrottledError(f"{left} keys still unprocessed after {READ_ATTEMPTS} reads")

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
                snap.existing_verdicts.add(item["transaction_id"]["S"])
                continue
            pk = item["pk"]["S"]
            if pk.startswith("card#"):
                snap.cards[pk[5:]] = card_record(item)
            else:
                snap.terminals[pk[9:]] = terminal_state(item)
        return snap

    def commit(self, records: list[VerdictRecord], counts: list[TerminalCount]) -> set[str]:
        """Write new verdicts (their items), each counted on its terminal (`counts` has one per
        verdict) in the same transaction.

        Returns the ids of the verdicts written now; one that exists already (written, and
        counted, by an earlier delivery) is skipped. Transactions are written in parallel.
        """
        count_of = {count.transaction_id: count for count in counts}
        by_terminal: dict[str, list[Pair]] = {}
        for record in records:
            count = count_of[record.transaction_id]
            by_terminal.setdefault(record.terminal_id, []).append((record, count))
        written = self._each(self._write_in_turn, transaction_runs(list(by_terminal.values())))
        return set().union(*written)

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

    def _write_in_turn(self, transactions: list[list[Pair]]) -> set[str]:
        """Transactions one after the other (a busy terminal's: concurrent ones would conflict)."""
        written: set[str] = set()
        for pairs in transactions:
            written |= self._write_together(pairs)
        return written

    def _write_together(self, pairs: list[Pair]) -> set[str]:
        """The verdicts and their terminals' counts in one transaction. A verdict that exists is
        dropped and the rest written again; a conflict or throttle is retried after a pause, each
        terminal on its own if there were several (so that a contended one holds up no other)."""
        for attempt in range(WRITE_ATTEMPTS):
            if not pairs:
                return set()
            try:
                self._db.transact_write_items(TransactItems=self._actions(pairs))
            except ClientError as exc:
                codes = _cancellation_codes(exc)
                existing = {i for i, code in enumerate(codes) if code == "ConditionalCheckFailed"}
                if existing:
                    pairs = [pair for i, pair in enumerate(pairs) if i not in existing]
                    continue
                if not set(codes) <= RETRYABLE:
                    raise
                apart = _by_terminal(pairs)
                if len(apart) > 1:
                    return self._write_in_turn(apart)
                self._pause(retry_pause(attempt))
                continue
            return {record.transaction_id for record, _ in pairs}
        raise WriteContendedError(
            f"terminal {pairs[0][0].terminal_id}: {WRITE_ATTEMPTS} write attempts cancelled"
        )

    def _actions(self, pairs: list[Pair]) -> list[dict[str, Any]]:
        """A conditional put per verdict, then each terminal's count update."""
        actions: list[dict[str, Any]] = []
        for record, _ in pairs:
            attributes = record.attributes()
            if needs_review(record, self._review_score_min):
                attributes[REVIEW_ATTRIBUTE] = {"S": PENDING}
            put = {
                "TableName": self._verdicts,
                "Item": attributes,
                "ConditionExpression": "attribute_not_exists(transaction_id)",
            }
            actions.append({"Put": put})
        for terminal in _by_terminal(pairs):
            actions.append({"Update": self._count_update([count for _, count in terminal])})
        return actions

    def _count_update(self, counts: list[TerminalCount]) -> dict[str, Any]:
        """+1 on each count's event day; the days out of the window before the earliest of them
        are dropped (never a day this update adds to)."""
        per_day: dict[int, int] = {}
        for count in counts:
            per_day[count.day] = per_day.get(count.day, 0) + 1
        oldest = min(per_day) - SPEC.state_days
        known = {day for count in counts for day in count.known_days}
        stale = [f"{kind}_{day}" for day in sorted(known) if day <= oldest for kind in ("n", "f")]
        names = {f"#n{day}": f"n_{day}" for day in per_day}
        names |= {f"#s{i}": name for i, name in enumerate(stale)}
        expression = "ADD " + ", ".join(f"#n{day} :n{day}" for day in per_day)
        if stale:
            expression += " REMOVE " + ", ".join(f"#s{i}" for i in range(len(stale)))
        return {
            "TableName": self._state,
            "Key": {"pk": {"S": terminal_key(counts[0].terminal_id)}},
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {f":n{d}": {"N": str(n)} for d, n in per_day.items()},
        }

    def save_card(self, token: str, record: CardRecord) -> None:
        """Write a card's new state if nobody else did since it was read."""
        item = card_item(token, record)
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


def transaction_runs(terminals: list[list[Pair]]) -> list[list[list[Pair]]]:
    """The transactions that write these terminals' verdicts and counts, as runs written in turn
    (the runs in parallel). A busy terminal (more verdicts than a transaction takes) has a run of
    its own; the others share transactions of up to 100 actions, a verdict each and a count per
    terminal: a batch of a thousand terminals takes 20 transactions, not a thousand."""
    runs: list[list[list[Pair]]] = []
    shared: list[Pair] = []
    actions = 0
    for pairs in terminals:
        step = VERDICTS_PER_WRITE
        if len(pairs) > step:
            runs.append([pairs[start : start + step] for start in range(0, len(pairs), step)])
            continue
        if actions + len(pairs) + 1 > TRANSACTION_ACTIONS:
            runs.append([shared])
            shared, actions = [], 0
        shared += pairs
        actions += len(pairs) + 1
    if shared:
        runs.append([shared])
    return runs


def _by_terminal(pairs: list[Pair]) -> list[list[Pair]]:
    """`pairs` split by terminal, in the order the terminals first appear."""
    grouped: dict[str, list[Pair]] = {}
    for pair in pairs:
        grouped.setdefault(pair[1].terminal_id, []).append(pair)
    return list(grouped.values())


def _cancellation_codes(exc: ClientError) -> list[str]:
    """Each action's outcome in a cancelled transaction ("None" if it was not the cause);
    any other error is raised again."""
    if exc.response["Error"]["Code"] != "TransactionCanceledException":
        raise exc
    reasons = exc.response.get("CancellationReasons") or []
    return [str(reason.get("Code", "None")) for reason in reasons]
