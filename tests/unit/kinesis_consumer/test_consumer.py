"""One worker on the in-memory Kinesis: reads everything, keeps per-key order across a split
and a merge (parents before children), survives throttling and expired iterators, stays within
five GetRecords a second per shard, and checkpoints only what was processed."""

from __future__ import annotations

import asyncio

import pytest

from kinesis_consumer.consumer import Consumer, ConsumerSettings, ShardBatch
from kinesis_consumer.fake import FakeKinesis
from kinesis_consumer.leases import MemoryLeaseStore
from kinesis_consumer.streams import SHARD_END, KinesisSource
from tests.unit.kinesis_consumer.streams_under_test import Collector, in_key_order, put_keyed, until

pytestmark = pytest.mark.unit
FAST = ConsumerSettings(failover_s=0.3, idle_sleep_s=0.02, min_call_interval_s=0.01)


async def _fake(shards: int, *, limit: bool = False) -> FakeKinesis:
    kinesis = FakeKinesis(enforce_read_limit=limit)
    await kinesis.create_stream(StreamName="s", ShardCount=shards)
    return kinesis


async def _running(consumer: Consumer) -> tuple[asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    return stop, asyncio.create_task(consumer.run(stop))


async def test_split_and_merge_keep_per_key_order() -> None:
    kinesis = await _fake(2)
    collector = Collector()
    leases = MemoryLeaseStore()
    consumer = Consumer(KinesisSource(kinesis, "s"), leases, collector, FAST)
    stop, task = await _running(consumer)
    await put_keyed(kinesis, "s", keys=40, per_key=5)
    await kinesis.split_shard(
        StreamName="s", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**126)
    )
    await put_keyed(kinesis, "s", keys=40, per_key=5, start=5)
    await kinesis.merge_shards(
        StreamName="s",
        ShardToMerge="shardId-000000000002",
        AdjacentShardToMerge="shardId-000000000003",
    )
    await put_keyed(kinesis, "s", keys=40, per_key=5, start=10)
    await until(lambda: collector.total >= 40 * 15)
    stop.set()
    await task
    assert collector.missing(40, 15) == 0
    assert in_key_order(collector.seen)
    assert all(numbers == list(range(15)) for numbers in collector.seen.values())
    finished = {lease.shard_id for lease in await leases.list() if lease.checkpoint == SHARD_END}
    assert finished == {"shardId-000000000000", "shardId-000000000002", "shardId-000000000003"}


async def test_children_wait_for_their_parent() -> None:
    kinesis = await _fake(1)
    await put_keyed(kinesis, "s", keys=10, per_key=3)
    await kinesis.split_shard(
        StreamName="s", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127)
    )
    await put_keyed(kinesis, "s", keys=10, per_key=3, start=3)
    collector = Collector()
    consumer = Consumer(KinesisSource(kinesis, "s"), MemoryLeaseStore(), collector, FAST)
    stop, task = await _running(consumer)
    await until(lambda: collector.total >= 60)
    stop.set()
    await task
    first_child = min(i for i, s in enumerate(collector.shards) if s != "shardId-000000000000")
    assert set(collector.shards[:first_child]) == {"shardId-000000000000"}
    assert "shardId-000000000000" not in collector.shards[first_child:]


async def test_throttling_and_expired_iterators_lose_nothing() -> None:
    kinesis = await _fake(2)
    collector = Collector()
    consumer = Consumer(KinesisSource(kinesis, "s"), MemoryLeaseStore(), collector, FAST)
    stop, task = await _running(consumer)
    await put_keyed(kinesis, "s", keys=20, per_key=5)
    kinesis.throttle_next(4)
    kinesis.expire_iterators()
    await put_keyed(kinesis, "s", keys=20, per_key=5, start=5)
    await until(lambda: collector.total >= 200)
    stop.set()
    await task
    assert collector.missing(20, 10) == 0
    assert consumer.metrics.throttled >= 4
    assert consumer.metrics.iterators_expired >= 1


async def test_at_most_five_reads_a_second_per_shard() -> None:
    kinesis = await _fake(2, limit=True)
    collector = Collector()
    settings = ConsumerSettings(failover_s=0.3, idle_sleep_s=0.0)
    consumer = Consumer(KinesisSource(kinesis, "s"), MemoryLeaseStore(), collector, settings)
    stop, task = await _running(consumer)
    await until(lambda: sum(len(t) for t in kinesis.read_times.values()) >= 16)
    stop.set()
    await task
    assert consumer.metrics.throttled == 0, "the fake throttles a sixth read within a second"


async def test_a_failing_processor_is_retried_and_the_checkpoint_waits() -> None:
    kinesis = await _fake(1)
    await put_keyed(kinesis, "s", keys=5, per_key=2)
    calls: list[int] = []

    async def flaky(batch: ShardBatch) -> None:
        calls.append(len(batch.records))
        if len(calls) == 1:
            raise RuntimeError("downstream down")

    leases = MemoryLeaseStore()
    settings = ConsumerSettings(failover_s=0.3, idle_sleep_s=0.02, max_backoff_s=0.05)
    consumer = Consumer(KinesisSource(kinesis, "s"), leases, flaky, settings)
    stop, task = await _running(consumer)
    await until(lambda: len(calls) >= 2)
    stop.set()
    await task
    assert calls[:2] == [10, 10]
    [lease] = await leases.list()
    assert int(lease.checkpoint) > 0
    assert lease.owner is None


async def test_graceful_shutdown_processes_the_buffered_window() -> None:
    kinesis = await _fake(1)
    collector = Collector()
    settings = ConsumerSettings(failover_s=0.3, idle_sleep_s=0.02, batching_window_s=3600)
    leases = MemoryLeaseStore()
    consumer = Consumer(KinesisSource(kinesis, "s"), leases, collector, settings)
    stop, task = await _running(consumer)
    await put_keyed(kinesis, "s", keys=3, per_key=2)
    await until(lambda: consumer.metrics.millis_behind_latest != {})
    await asyncio.sleep(0.2)
    assert collector.total == 0, "held back by the batching window"
    stop.set()
    await task
    assert collector.total == 6
    [lease] = await leases.list()
    assert lease.checkpoint.isdigit()
    assert lease.owner is None
