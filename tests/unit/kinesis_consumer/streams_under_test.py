"""Helpers for the consumer's tests: put keyed records, collect what a processor saw."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from kinesis_consumer.consumer import ShardBatch


async def put_keyed(kinesis: Any, stream: str, keys: int, per_key: int, start: int = 0) -> None:
    """`per_key` records for each of `keys` partition keys, numbered per key from `start`."""
    for n in range(start, start + per_key):
        records = [
            {"Data": json.dumps({"key": f"k{k}", "n": n}).encode(), "PartitionKey": f"k{k}"}
            for k in range(keys)
        ]
        await kinesis.put_records(StreamName=stream, Records=records)


@dataclass
class Collector:
    """A processor that remembers every record per key, optionally slow or failing."""

    delay_s: float = 0.0
    record_first: bool = False
    seen: dict[str, list[int]] = field(default_factory=dict)
    shards: list[str] = field(default_factory=list)
    batch_sizes: list[int] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, batch: ShardBatch) -> None:
        self.started.set()
        if not self.record_first:
            await asyncio.sleep(self.delay_s)
        self.shards.append(batch.shard_id)
        self.batch_sizes.append(len(batch.records))
        for raw in batch.records:
            body = json.loads(raw["Data"])
            self.seen.setdefault(body["key"], []).append(body["n"])
        if self.record_first:
            await asyncio.sleep(self.delay_s)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.seen.values())

    def missing(self, keys: int, per_key: int) -> int:
        """Records put but never processed."""
        return sum(len(set(range(per_key)) - set(self.seen.get(f"k{k}", []))) for k in range(keys))

    def recorded_from(self, shards: list[str]) -> int:
        """Records recorded so far from batches of `shards`."""
        return sum(n for s, n in zip(self.shards, self.batch_sizes, strict=True) if s in shards)

    def duplicates(self) -> int:
        return sum(len(v) - len(set(v)) for v in self.seen.values())


def in_key_order(seen: dict[str, list[int]]) -> bool:
    """Every key's numbers arrive in put order (a replay may repeat a suffix, never reorder)."""
    for numbers in seen.values():
        first = {n: i for i, n in reversed(list(enumerate(numbers)))}
        if sorted(first, key=first.__getitem__) != sorted(first):
            return False
    return True


async def until(predicate: Callable[[], bool], timeout_s: float = 20.0) -> None:
    """Wait (polling) until `predicate()` holds; fail after `timeout_s`."""
    async with asyncio.timeout(timeout_s):
        while not predicate():
            await asyncio.sleep(0.02)


Step = Callable[[], Awaitable[Any]]
