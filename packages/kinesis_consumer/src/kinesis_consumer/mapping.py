"""A Lambda event source mapping on the lease-based consumer: what feeds a stream function.

The consumer reads and checkpoints shards (the batching window is its buffer); each shard batch is
split into `ParallelizationFactor` lanes by a hash of the partition key (per-key order kept) and
each lane goes through its own `BatchRunner`. The checkpoint moves only after every lane finished
(delivered or sent to the on-failure destination), so nothing is lost.
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import replace
from typing import Any

from kinesis_consumer.consumer import Consumer, ConsumerSettings, ShardBatch
from kinesis_consumer.esm import BatchRunner, FailureSink, Handler, MappingSettings
from kinesis_consumer.leases import LeaseStore, MemoryLeaseStore
from kinesis_consumer.streams import StreamSource

LOCAL_POLL_S = 0.2


class EventSourceMapping:
    """A handler fed from a stream with an event source mapping's settings.

    Without `leases`, shard state lives in memory (one worker in one process); with a
    `DynamoDBLeaseTable`, several workers share the stream and resume from its checkpoints.
    `environments` is how many invocations may run at once: Lambda gives each concurrent
    invocation its own execution environment, and a handler's module state (caches, clients) is
    not made for two events at once, so the default is one at a time across shards and lanes."""

    def __init__(
        self,
        source: StreamSource,
        handler: Handler,
        settings: MappingSettings,
        on_failure: FailureSink | None = None,
        *,
        leases: LeaseStore | None = None,
        consumer: ConsumerSettings | None = None,
        environments: int = 1,
    ) -> None:
        self.source, self.handler, self.settings = source, handler, settings
        self.on_failure = on_failure
        self._environments = asyncio.Semaphore(environments)
        self._runners: dict[tuple[str, int], BatchRunner] = {}
        self._arn: str | None = None
        base = consumer or ConsumerSettings(
            failover_s=1.0 if leases is None else 10.0, idle_sleep_s=LOCAL_POLL_S
        )
        self.consumer = Consumer(
            source,
            leases or MemoryLeaseStore(),
            self._process,
            replace(
                base,
                batch_records=settings.batch_size,
                batching_window_s=settings.maximum_batching_window_s,
                initial_position=settings.starting_position,
                initial_timestamp=settings.starting_position_timestamp,
            ),
        )

    def _runner(self, shard_id: str, lane: int, arn: str) -> BatchRunner:
        key = (shard_id, lane)
        if key not in self._runners:
            self._runners[key] = BatchRunner(
                self.handler, self.settings, self.on_failure, shard_id, arn, self._environments
            )
        return self._runners[key]

    def _lane(self, raw: dict[str, Any]) -> int:
        factor = self.settings.parallelization_factor
        if factor <= 1:
            return 0
        return zlib.crc32(self.source.partition_key(raw).encode()) % factor

    async def _process(self, batch: ShardBatch) -> None:
        arn = self._arn = self._arn or await self.source.arn()
        lanes: dict[int, list[dict[str, Any]]] = {}
        for raw in batch.records:
            record = self.source.lambda_record(raw, batch.shard_id, arn)
            lanes.setdefault(self._lane(raw), []).append(record)
        await asyncio.gather(
            *(self._runner(batch.shard_id, lane, arn).deliver(rs) for lane, rs in lanes.items())
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Feed the handler until `stop` is set; then drain, checkpoint and release."""
        await self.consumer.run(stop)

    async def drain(self, idle_reads: int = 2) -> int:
        """Feed the handler until every shard read nothing `idle_reads` times in a row; stop
        gracefully and return the records read."""
        stop = asyncio.Event()
        task = asyncio.create_task(self.consumer.run(stop))
        before = self.consumer.metrics.records_processed
        while not self.consumer.idle(idle_reads):
            if task.done():
                break
            await asyncio.sleep(LOCAL_POLL_S / 4)
        stop.set()
        await task
        return self.consumer.metrics.records_processed - before

    @property
    def stats(self) -> dict[str, int]:
        """Invocations and records (summed over shards and lanes) and the consumer's counters."""
        totals: dict[str, int] = {}
        for runner in self._runners.values():
            for key, value in vars(runner.stats).items():
                totals[key] = totals.get(key, 0) + value
        snapshot = self.consumer.metrics.snapshot()
        totals.update({k: v for k, v in snapshot.items() if isinstance(v, int)})
        return totals
