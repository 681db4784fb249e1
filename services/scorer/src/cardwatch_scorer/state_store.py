"""DynamoDB adapter of the scorer: one BatchGetItem round for verdicts, cards and terminals;
atomic verdict + terminal writes; version-checked card state.

Exactly once in effect: a verdict and its terminal count are written in one transaction,
conditional on the verdict not existing; a card's state carries the ids of the transactions it
has absorbed and is written only if its version did not move.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from cardwatch_shared.contracts import Verdict
from cardwatch_shared.features.online import CardState, TerminalState
from cardwatch_shared.verdict_item import to_item

BATCH_GET_LIMIT = 100
TRANSACT_LIMIT = 100
_serialize, _deserialize = TypeSerializer().serialize, TypeDeserializer().deserialize


class StaleCardError(RuntimeError):
    """A card's state changed under us; its records must be retried."""


@dataclass
class CardRecord:
    """A card's state, the transactions it has absorbed, and its item version."""

    state: CardState = field(default_factory=CardState)
    applied: list[str] = field(default_factory=list)
    version: int = 0


@dataclass
class Snapshot:
    """What the batch needs to read before scoring."""

    existing_verdicts: set[str]
    cards: dict[str, CardRecord]
    terminals: dict[str, TerminalState]


def card_key(token: str) -> str:
    """Partition key of a card's state."""
    return f"card#{token}"


def terminal_key(terminal_id: str) -> str:
    """Partition key of a terminal's state."""
    return f"terminal#{terminal_id}"


def _terminal_state(item: dict[str, Any]) -> TerminalState:
    days: dict[int, list[float]] = {}
    for name, value in item.items():
        if name[:2] in {"n_", "f_"}:
            bucket = days.setdefault(int(name[2:]), [0.0, 0.0])
            bucket[0 if name[0] == "n" else 1] = float(value)
    return TerminalState(days=days)


class StateStore:
    """The verdicts table and the state table."""

    def __init__(self, dynamodb: Any, verdicts_table: str, state_table: str) -> None:
        self._db, self._verdicts, self._state = dynamodb, verdicts_table, state_table

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

    def commit(self, verdicts: list[tuple[Verdict, int, list[int]]]) -> set[str]:
        """Write each (verdict, its day, stale terminal days) with its terminal count, atomically.

        Returns the ids written now (a verdict that already exists is skipped, not an error).
        """
        written: set[str] = set()
        for pack in _packs(verdicts):
            written |= self._commit_pack(pack)
        return written

    def _commit_pack(self, pack: list[tuple[Verdict, int, list[int]]]) -> set[str]:
        while pack:
            items = []
            for verdict, day, stale in pack:
                items.append(
                    {
                        "Put": {
                            "TableName": self._verdicts,
                            "Item": {k: _serialize(v) for k, v in to_item(verdict).items()},
                            "ConditionExpression": "attribute_not_exists(transaction_id)",
                        }
                    }
                )
                stale_names = [f"{kind}_{d}" for d in stale for kind in ("n", "f")]
                update = "ADD #n :one" + (
                    " REMOVE " + ", ".join(f"#s{i}" for i in range(len(stale_names)))
                    if stale_names
                    else ""
                )
                names = {"#n": f"n_{day}"} | {f"#s{i}": n for i, n in enumerate(stale_names)}
                items.append(
                    {
                        "Update": {
                            "TableName": self._state,
                            "Key": {"pk": {"S": terminal_key(verdict.terminal_id)}},
                            "UpdateExpression": update,
                            "ExpressionAttributeNames": names,
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    }
                )
            try:
                self._db.transact_write_items(TransactItems=items)
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = exc.response.get("CancellationReasons", [])
                failed = {
                    i // 2
                    for i, r in enumerate(reasons)
                    if r.get("Code") == "ConditionalCheckFailed"
                }
                if not failed:
                    raise
                pack = [entry for i, entry in enumerate(pack) if i not in failed]
                continue
            return {verdict.transaction_id for verdict, _, _ in pack}
        return set()

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


def _packs(
    entries: list[tuple[Verdict, int, list[int]]],
) -> list[list[tuple[Verdict, int, list[int]]]]:
    """Groups of at most 50 entries with distinct terminals (a transaction touches an item once)."""
    packs: list[list[tuple[Verdict, int, list[int]]]] = []
    keys: list[set[str]] = []
    for entry in entries:
        terminal = entry[0].terminal_id
        for pack, used in zip(packs, keys, strict=True):
            if terminal not in used and len(pack) < TRANSACT_LIMIT // 2:
                pack.append(entry)
                used.add(terminal)
                break
        else:
            packs.append([entry])
            keys.append({terminal})
    return packs
