"""moto's own code, made to cost what a request touches: the emulator applies these at start.

Each fix keeps moto's results (a test per fix compares both) and is listed, with why, in
`moto_gaps.py`. `apply_all` applies them all; each is idempotent."""

from __future__ import annotations

import bisect
import copy
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

ORIGINAL_SHARD_METHODS: dict[str, Callable[..., Any]] = {}  # moto's own, kept for the parity test
ORIGINAL_TRANSACT_WRITE: list[Callable[..., Any]] = []  # moto's own, for the parity test
ORIGINAL_TABLE_SCAN: list[Callable[..., Any]] = []  # moto's own Table.scan, for the parity test
_SCAN_PAGE = threading.local()  # the items a Scan on this thread reads its page from
_TRANSACTION = threading.local()  # set while a TransactWriteItems runs on this thread


def remember_backends() -> None:
    """Make moto server's per-request routing a dictionary lookup.

    For every request, moto's dispatcher lists its own package folder (a `stat` per service) and
    tries its URL patterns, all under one lock: with a few dozen concurrent clients the lock,
    not the emulated services, sets the pace. A host's backend never changes, so it is
    remembered after the first request (idempotent; moto's results are unchanged)."""
    from moto import backends
    from moto.moto_server import werkzeug_app

    dispatcher: Any = werkzeug_app.DomainDispatcherApplication
    if getattr(dispatcher, "cardwatch_remembers", False):
        return
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    find: Callable[[Any, str | None], Any] = dispatcher.get_backend_for_host
    known: dict[str | None, Any] = {}

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        if host not in known:
            known[host] = find(self, host)
        return known[host]

    dispatcher.get_backend_for_host = get_backend_for_host
    dispatcher.cardwatch_remembers = True


def lean_transactions() -> None:
    """Make moto's DynamoDB TransactWriteItems cost what the transaction touches.

    moto backs up every table a transaction names with a deep copy (its stream records
    included) and records every model instance it ever creates (for its reset API, which resets
    backends without them): each transaction kept a full copy of the labels, verdicts and
    state tables alive, gigabytes after a few hundred labels. The emulator stops the
    recording and lets a table's backup share the live stream (a rolled-back transaction may
    leave stream records of its writes; nothing in cardwatch reads them). Idempotent."""
    from moto.core.common_models import BaseModel
    from moto.dynamodb.models.table import StreamShard

    if getattr(BaseModel, "cardwatch_untracked", False):
        return

    def untracked(cls: type, *_args: Any, **_kwargs: Any) -> Any:
        return object.__new__(cls)

    def shared(shard: Any, _memo: Any) -> Any:
        return shard

    BaseModel.__new__ = staticmethod(untracked)  # type: ignore[method-assign]
    BaseModel.cardwatch_untracked = True  # type: ignore[attr-defined]
    StreamShard.__deepcopy__ = shared  # type: ignore[attr-defined]


def constant_time_shards() -> None:
    """Make a Kinesis shard's put and read cost what they touch, not the shard's length.

    moto finds a shard's last sequence number by listing all its records, on every put, and a
    GetRecords walks the shard from its first record: both quadratic over a run, so that a
    100,000-record upload spent 94% of the emulator's time listing keys. A shard's sequence
    numbers are consecutive integers from 1, so the last is the dictionary's last key and a read
    starts at a key lookup. Results are unchanged (a test runs both against random shards)."""
    from moto.kinesis.models import Shard

    if getattr(Shard, "cardwatch_constant_time", False):
        return

    def last_key(shard: Any) -> int:
        return next(reversed(shard.records)) if shard.records else 0

    def first_key(shard: Any) -> int:
        return next(iter(shard.records)) if shard.records else 0

    original_get_records = Shard.get_records
    ORIGINAL_SHARD_METHODS.update(
        max=Shard.get_max_sequence_number,
        min=Shard.get_min_sequence_number,
        get_records=original_get_records,
    )

    def get_records(
        shard: Any, last_sequence_id: str, limit: int | None
    ) -> tuple[list[Any], int, int]:
        records = shard.records
        start, last = int(last_sequence_id), last_key(shard)
        consecutive = bool(records) and first_key(shard) == 1 and last == len(records)
        if not consecutive or start < 0 or (limit is not None and limit < 1):
            return original_get_records(shard, last_sequence_id, limit)
        if start >= last:
            return [], start, 0
        stop = last if limit is None else min(last, start + limit)
        results = [records[n] for n in range(start + 1, stop + 1)]
        behind = records[last].created_at - results[-1].created_at
        return results, results[-1].sequence_number, int(behind * 1000)

    Shard.get_max_sequence_number = last_key  # type: ignore[method-assign,assignment]
    Shard.get_min_sequence_number = first_key  # type: ignore[method-assign,assignment]
    Shard.get_records = get_records  # type: ignore[method-assign,assignment]
    Shard.cardwatch_constant_time = True  # type: ignore[attr-defined]


def _touched_items(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(table, hash key, range key, a copy of the item or None) of each item a transaction names."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved = []
    for entry in transact_items:
        op: Any = next(iter(entry.values()), {})
        table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
        attrs = (op.get("Key") or op.get("Item") or {}) if table is not None else {}
        if table is None or table.hash_key_attr not in attrs:
            continue  # moto refuses the request itself
        range_attr = table.range_key_attr
        if range_attr and range_attr not in attrs:
            continue
        hash_key = DynamoType(attrs[table.hash_key_attr])
        range_key = DynamoType(attrs[range_attr]) if range_attr else None
        current = table.get_item(hash_key, range_key)
        saved.append((table, hash_key, range_key, copy.deepcopy(current)))
    return saved


def _writes(table: Any) -> int:
    """How often the emulator saw `table` written (the key of its kept order, `paged_scans`)."""
    return int(table.__dict__.get("cardwatch_writes", 0))


def _restore(saved: list[tuple[Any, ...]]) -> None:
    for table, hash_key, range_key, item in reversed(saved):
        table.cardwatch_writes = _writes(table) + 1
        if range_key is None and item is None:
            table.items.pop(hash_key, None)
        elif range_key is None:
            table.items[hash_key] = item
        elif item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item


def item_level_transactions() -> None:
    """Make a moto TransactWriteItems back up the items it names, not whole tables.

    moto deep-copies every table a transaction names before it starts, to put them back if it
    fails: a label (one transaction over the labels, state and verdicts tables) cost a copy of
    every verdict, most of the emulator's time in the feedback demo. Here each named item is
    copied instead and put back on failure; moto's copy of a table is the table itself while the
    transaction runs. Outcomes are moto's (a test compares both on random transactions)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    if ORIGINAL_TRANSACT_WRITE:
        return
    original = DynamoDBBackend.transact_write_items
    ORIGINAL_TRANSACT_WRITE.append(original)

    def table_copy(table: Any, memo: dict[int, Any]) -> Any:
        if getattr(_TRANSACTION, "active", False):
            return table
        return copy._reconstruct(table, memo, *table.__reduce_ex__(4))  # type: ignore[attr-defined]

    def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        saved = _touched_items(backend, transact_items)
        _TRANSACTION.active = True
        try:
            original(backend, transact_items)
        except Exception:
            _restore(saved)
            raise
        finally:
            _TRANSACTION.active = False

    Table.__deepcopy__ = table_copy  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign,assignment]


def stable_item_counts() -> None:
    """Let moto count a table's items while other requests write it.

    DescribeTable counts by iterating the table's dictionary, and fails with "dictionary changed
    size during iteration" when a write lands meanwhile (hundreds of tracebacks in a chaos run).
    The count now iterates a snapshot of the values (taken in one step). Idempotent."""
    from moto.dynamodb.models.table import Table

    if getattr(Table, "cardwatch_stable_len", False):
        return

    def count(table: Any) -> int:
        values = list(table.items.values())
        return sum(len(value) for value in values) if table.has_range_key else len(values)

    Table.__len__ = count  # type: ignore[method-assign]
    Table.cardwatch_stable_len = True  # type: ignore[attr-defined]


def _plain(value: Any) -> Any:
    return Decimal(value.value) if value.type == "N" else value.value


def _plain_key(item: Any) -> tuple[Any, Any]:
    range_key = item.range_key
    return (_plain(item.hash_key), None if range_key is None else _plain(range_key))


def _plain_start(table: Any, start: dict[str, Any]) -> tuple[Any, Any]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    range_attr = table.range_key_attr
    hash_value = _plain(DynamoType(start[table.hash_key_attr]))
    return (hash_value, _plain(DynamoType(start[range_attr])) if range_attr else None)


def _sorted_once(table: Any) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """The table's items in key order and their plain keys, kept until the table is written."""
    cached = table.__dict__.get("cardwatch_sorted")
    writes = _writes(table)
    if cached is not None and cached[0] == writes:
        return cached[1], cached[2]
    items = sorted(_unsorted_items(table), key=_plain_key)
    keys = [_plain_key(item) for item in items]
    table.cardwatch_sorted = (writes, items, keys)
    return items, keys


def _counting_writes(method: Callable[..., Any]) -> Callable[..., Any]:
    def written(table: Any, *args: Any, **kwargs: Any) -> Any:
        table.cardwatch_writes = _writes(table) + 1
        return method(table, *args, **kwargs)

    return written


def paged_scans() -> None:
    """Make a page of a moto Scan cost the page, not a sort of the table and a walk.

    For every page, moto sorts the whole table comparing its typed key objects, then walks from
    the first item to the page's start key: quadratic over a scan, and half the emulator's time
    once the chaos run's 116,000 verdicts were scanned. The table's order (by the keys' plain
    values: the order moto's comparisons give) is now kept until the table is next written, the
    start is found by bisection, and moto's own code reads the page from there: pages, counts
    and last keys are unchanged (a test compares both)."""
    from moto.dynamodb.models.table import Table

    if ORIGINAL_TABLE_SCAN:
        return
    original: Callable[..., Any] = Table.scan
    ORIGINAL_TABLE_SCAN.append(original)
    sorted_items = Table.all_items

    def all_items(table: Any) -> list[Any]:
        page = getattr(_SCAN_PAGE, "items", None)
        return page[1] if page is not None and page[0] is table else sorted_items(table)

    def scan(table: Any, filters: Any, limit: Any, start: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name") or (args[1] if len(args) > 1 else None)
        if index_name:
            return original(table, filters, limit, start, *args, **kwargs)
        items, keys = _sorted_once(table)
        if start is not None:
            items = items[bisect.bisect_right(keys, _plain_start(table, start)) :]
        _SCAN_PAGE.items = (table, items)
        try:
            return original(table, filters, limit, None, *args, **kwargs)
        finally:
            _SCAN_PAGE.items = None

    Table.put_item = _counting_writes(Table.put_item)  # type: ignore[method-assign]
    Table.delete_item = _counting_writes(Table.delete_item)  # type: ignore[method-assign]
    Table.all_items = all_items  # type: ignore[method-assign,assignment]
    Table.scan = scan  # type: ignore[method-assign,assignment]


def _unsorted_items(table: Any) -> list[Any]:
    values = list(table.items.values())
    if table.range_key_attr:
        return [item for by_range in values for item in list(by_range.values())]
    return values


def apply_all() -> None:
    """Every fix above, on moto's classes in this process."""
    remember_backends()
    lean_transactions()
    item_level_transactions()
    stable_item_counts()
    paged_scans()
    constant_time_shards()
