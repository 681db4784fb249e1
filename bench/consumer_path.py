"""Consumer overhead: `kinesis_consumer` records/s beside a raw GetRecords loop over the same data.

Two backends: the in-memory fake (no network: the consumer's own cost, read pacing and the fake's
read limit off) and moto server (HTTP, with the lease table in moto's DynamoDB). A third figure
drives a no-op handler through the event source mapping (Lambda-shaped events) on the fake.
Run: `uv run python -m bench.consumer_path [--fake-records N] [--moto-records N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import time
from typing import Any

from bench.results_table import Measurement, table, write
from kinesis_consumer.consumer import Consumer, ConsumerSettings, ShardBatch
from kinesis_consumer.esm import MappingSettings
from kinesis_consumer.fake import FakeKinesis
from kinesis_consumer.leases import DynamoDBLeaseTable, LeaseStore, MemoryLeaseStore
from kinesis_consumer.mapping import EventSourceMapping
from kinesis_consumer.streams import KinesisSource

UNPACED = ConsumerSettings(min_call_interval_s=0.0, idle_sleep_s=0.0, failover_s=30.0)
SHARDS = 2


async def _fill(kinesis: Any, records: int) -> None:
    await kinesis.create_stream(StreamName="bench", ShardCount=SHARDS)
    payload = b'{"transaction_id": "00000000-0000-0000-0000-000000000000", "amount": 12.5}'
    for start in range(0, records, 500):
        batch = [
            {"Data": payload, "PartitionKey": f"card-{i % 1000}"}
            for i in range(start, min(records, start + 500))
        ]
        await kinesis.put_records(StreamName="bench", Records=batch)
    if hasattr(kinesis, "enforce_read_limit"):
        kinesis.enforce_read_limit = False


async def raw_loop(kinesis: Any, records: int) -> float:
    """The floor: GetRecords on every shard until every record was read; seconds."""
    started = time.perf_counter()
    shards = (await kinesis.list_shards(StreamName="bench"))["Shards"]
    seen = 0
    for shard in shards:
        iterator = (
            await kinesis.get_shard_iterator(
                StreamName="bench", ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )
        )["ShardIterator"]
        while iterator:
            reply = await kinesis.get_records(ShardIterator=iterator, Limit=10_000)
            seen += len(reply["Records"])
            if not reply["Records"]:
                break
            iterator = reply.get("NextShardIterator")
    assert seen == records, (seen, records)
    return time.perf_counter() - started


async def consumer_run(kinesis: Any, leases: LeaseStore, records: int) -> float:
    """The consumer with a no-op processor until every record was processed; seconds."""
    done = asyncio.Event()
    processed = 0

    async def count(batch: ShardBatch) -> None:
        nonlocal processed
        processed += len(batch.records)
        if processed >= records:
            done.set()

    consumer = Consumer(KinesisSource(kinesis, "bench"), leases, count, UNPACED)
    stop = asyncio.Event()
    started = time.perf_counter()
    task = asyncio.create_task(consumer.run(stop))
    await done.wait()
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    return elapsed


async def mapping_run(kinesis: Any, records: int) -> float:
    """A no-op handler fed Lambda-shaped batches of 1,000 through the mapping; seconds."""
    settings = MappingSettings(batch_size=1000)
    mapping = EventSourceMapping(
        KinesisSource(kinesis, "bench"), lambda _event, _context: None, settings, consumer=UNPACED
    )
    started = time.perf_counter()
    read = await mapping.drain(idle_reads=1)
    assert read == records, (read, records)
    return time.perf_counter() - started


async def _on_fake(records: int) -> list[Measurement]:
    kinesis = FakeKinesis(enforce_read_limit=False)
    await _fill(kinesis, records)
    floor = await raw_loop(kinesis, records)
    consumed = await consumer_run(kinesis, MemoryLeaseStore(), records)
    mapped = await mapping_run(kinesis, records) - UNPACED.idle_sleep_s
    return [
        Measurement("consumer records/s (fake Kinesis)", records / consumed, "records/s",
                    "raw GetRecords loop (fake)", records / floor),
        Measurement("event source mapping records/s (fake Kinesis)", records / mapped,
                    "records/s", "raw GetRecords loop (fake)", records / floor),
    ]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _on_moto(records: int) -> list[Measurement]:
    import aioboto3

    from cardwatch_local.emulator import moto_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(name, "bench")
    port = _free_port()
    server = moto_server("127.0.0.1", port)
    endpoint = {"endpoint_url": f"http://127.0.0.1:{port}", "region_name": "us-east-1"}
    try:
        session = aioboto3.Session()
        async with (
            session.client("kinesis", **endpoint) as kinesis,
            session.client("dynamodb", **endpoint) as dynamodb,
        ):
            await _fill(kinesis, records)
            floor = await raw_loop(kinesis, records)
            leases = DynamoDBLeaseTable(dynamodb, "bench-leases", "bench")
            await leases.create_table()
            consumed = await consumer_run(kinesis, leases, records)
    finally:
        server.stop()
    return [
        Measurement("consumer records/s (moto, leases in DynamoDB)", records / consumed,
                    "records/s", "raw GetRecords loop (moto)", records / floor),
    ]  # fmt: skip


def measure(fake_records: int, moto_records: int) -> list[Measurement]:
    """Every consumer measurement."""
    return asyncio.run(_on_fake(fake_records)) + asyncio.run(_on_moto(moto_records))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fake-records", type=int, default=200_000)
    parser.add_argument("--moto-records", type=int, default=20_000)
    args = parser.parse_args()
    measurements = measure(args.fake_records, args.moto_records)
    print(table(measurements))
    print(f"written: {write(measurements)}")


if __name__ == "__main__":
    main()
