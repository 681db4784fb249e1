"""Workers sharing a stream through a DynamoDB lease table on moto: they balance, a dead worker's
shards are taken once its leases expire (not before), a worker that lost a lease never
checkpoints it again, and nothing is lost (duplicates counted)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kinesis_consumer.consumer import Consumer, ConsumerSettings
from kinesis_consumer.fake import FakeKinesis
from kinesis_consumer.leases import DynamoDBLeaseTable, Lease, LeaseLostError
from kinesis_consumer.streams import KinesisSource
from tests.unit.kinesis_consumer.streams_under_test import Collector, put_keyed, until

pytestmark = pytest.mark.integration
FAILOVER_S = 10.0


class Clock:
    """A clock the test moves by hand, so lease expiry does not depend on real time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _worker(source: Any, table: DynamoDBLeaseTable, name: str, clock: Clock,
            collector: Collector | None = None) -> Consumer:  # fmt: skip
    settings = ConsumerSettings(
        worker_id=name, failover_s=FAILOVER_S, idle_sleep_s=0.02, min_call_interval_s=0.01
    )
    return Consumer(source, table, collector or Collector(), settings, clock=clock)


async def _rounds(workers: list[Consumer], clock: Clock, rounds: int = 6) -> None:
    for _ in range(rounds):
        for worker in workers:
            await worker.sync_shards()
            await worker.take_leases()
            await worker.renew_leases()
        clock.now += 1.0


@pytest.mark.parametrize("count", [2, 3])
async def test_workers_balance_the_leases(
    kinesis: Any, lease_table: DynamoDBLeaseTable, count: int
) -> None:
    await kinesis.create_stream(StreamName="s", ShardCount=6)
    clock = Clock()
    source = KinesisSource(kinesis, "s")
    workers = [_worker(source, lease_table, f"w{i}", clock) for i in range(count)]
    await _rounds(workers[:1], clock, rounds=1)
    assert len(workers[0].held) == 6, "a lone worker takes every shard"
    await _rounds(workers, clock, rounds=8)
    assert sorted(len(w.held) for w in workers) == [6 // count] * count
    owners = {lease.shard_id: lease.owner for lease in await lease_table.list()}
    for worker in workers:
        assert all(owners[shard] == worker.worker_id for shard in worker.held)


async def test_a_stolen_lease_is_never_checkpointed_again(
    kinesis: Any, lease_table: DynamoDBLeaseTable
) -> None:
    await kinesis.create_stream(StreamName="s", ShardCount=1)
    clock = Clock()
    old = _worker(KinesisSource(kinesis, "s"), lease_table, "old", clock)
    await _rounds([old], clock, rounds=1)
    [lease] = await lease_table.list()
    await lease_table.take(lease, "new")
    with pytest.raises(LeaseLostError):
        await lease_table.checkpoint(
            Lease(lease.shard_id, "old", lease.counter + 1, lease.checkpoint), "1"
        )
    assert await old.renew_leases() == ["shardId-000000000000"]
    assert old.held == []
    assert old.metrics.leases_lost == 1
    [after] = await lease_table.list()
    assert after.owner == "new"
    assert after.checkpoint == lease.checkpoint


async def test_a_killed_worker_hands_over_after_the_failover_time(
    lease_table: DynamoDBLeaseTable,
) -> None:
    kinesis = FakeKinesis(enforce_read_limit=False)
    await kinesis.create_stream(StreamName="s", ShardCount=4)
    source = KinesisSource(kinesis, "s")
    clock = Clock()
    seen = Collector(delay_s=0.5, record_first=True)
    a = _worker(source, lease_table, "a", clock, seen)
    b = _worker(source, lease_table, "b", clock, seen)
    await _rounds([a, b], clock, rounds=8)
    assert len(a.held) == len(b.held) == 2
    await put_keyed(kinesis, "s", keys=50, per_key=20)
    await a.start_readers()
    await b.start_readers()
    await asyncio.wait_for(seen.started.wait(), 10)
    a_shards = a.held
    a.kill()  # mid-batch: its reader is inside the processor's delay
    clock.now += FAILOVER_S - 1
    assert await b.take_leases() == [], "not before the failover time"
    clock.now += 2
    taken = await b.take_leases()
    assert sorted(taken) == a_shards
    await b.start_readers()
    unfinished = seen.recorded_from(a_shards)  # recorded by a, never checkpointed
    await until(lambda: seen.missing(50, 20) == 0 and seen.duplicates() >= unfinished)
    b.kill()
    assert unfinished > 0, "a died inside a batch"
    assert seen.duplicates() == unfinished, "exactly a's unfinished batches are read twice"


async def test_three_running_workers_share_a_moto_stream(
    kinesis: Any, lease_table: DynamoDBLeaseTable
) -> None:
    await kinesis.create_stream(StreamName="s", ShardCount=4)
    await put_keyed(kinesis, "s", keys=50, per_key=4)
    seen = Collector()
    settings = [
        ConsumerSettings(worker_id=f"w{i}", failover_s=1.0, idle_sleep_s=0.05) for i in range(3)
    ]
    source = KinesisSource(kinesis, "s")
    workers = [Consumer(source, lease_table, seen, s) for s in settings]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    await until(lambda: seen.missing(50, 4) == 0)
    await put_keyed(kinesis, "s", keys=50, per_key=4, start=4)
    await until(lambda: seen.missing(50, 8) == 0)
    stop.set()
    await asyncio.gather(*tasks)
    leases = await lease_table.list()
    assert all(lease.owner is None for lease in leases), "graceful shutdown releases"
    assert sum(w.metrics.records_processed for w in workers) >= 400
