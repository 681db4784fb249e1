"""The event source mapping on the consumer: Lambda-shaped events from the in-memory Kinesis,
ParallelizationFactor (per-key order, concurrent lanes), the batching window, infinite retries,
and the on-failure message in the shape Lambda documents."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from kinesis_consumer.consumer import ConsumerSettings
from kinesis_consumer.esm import MappingSettings
from kinesis_consumer.fake import FakeKinesis
from kinesis_consumer.mapping import EventSourceMapping
from kinesis_consumer.streams import KinesisSource
from tests.unit.kinesis_consumer.streams_under_test import put_keyed

pytestmark = pytest.mark.unit
DOCUMENTED = Path(__file__).with_name("lambda_on_failure_kinesis.json")
FAST = ConsumerSettings(failover_s=0.3, idle_sleep_s=0.02, min_call_interval_s=0.01)


class Recorder:
    """A handler that records each invocation's (key, n) pairs and the peak concurrency."""

    def __init__(self, delay_s: float = 0.0, fail: set[str] | None = None) -> None:
        self.delay_s, self.fail = delay_s, fail or set()
        self.calls: list[list[tuple[str, int]]] = []
        self.running = self.peak = 0
        self.lock = threading.Lock()

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        with self.lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        time.sleep(self.delay_s)
        rows = [json.loads(base64.b64decode(r["kinesis"]["data"])) for r in event["Records"]]
        with self.lock:
            self.calls.append([(row["key"], row["n"]) for row in rows])
            self.running -= 1
        if any(row["key"] in self.fail for row in rows):
            raise RuntimeError("poison")
        return {"batchItemFailures": []}


async def _mapping(
    shards: int,
    handler: Recorder,
    settings: MappingSettings,
    sink: Any = None,
    environments: int = 1,
) -> tuple[FakeKinesis, EventSourceMapping]:
    kinesis = FakeKinesis(enforce_read_limit=False)
    await kinesis.create_stream(StreamName="s", ShardCount=shards)
    source = KinesisSource(kinesis, "s")
    mapping = EventSourceMapping(
        source, handler, settings, sink, consumer=FAST, environments=environments
    )
    return kinesis, mapping


async def test_parallelization_keeps_per_key_order_and_runs_lanes_concurrently() -> None:
    handler = Recorder(delay_s=0.05)
    settings = MappingSettings(batch_size=10, parallelization_factor=4)
    kinesis, mapping = await _mapping(1, handler, settings, environments=4)
    await put_keyed(kinesis, "s", keys=40, per_key=5)
    assert await mapping.drain() == 200
    per_key: dict[str, list[int]] = {}
    for call in handler.calls:
        for key, n in call:
            per_key.setdefault(key, []).append(n)
    assert all(numbers == list(range(5)) for numbers in per_key.values())
    assert len(per_key) == 40
    assert handler.peak > 1, "lanes of one shard ran at the same time"


async def test_one_execution_environment_runs_one_event_at_a_time() -> None:
    handler = Recorder(delay_s=0.02)
    settings = MappingSettings(batch_size=10, parallelization_factor=4)
    kinesis, mapping = await _mapping(3, handler, settings)
    await put_keyed(kinesis, "s", keys=40, per_key=3)
    assert await mapping.drain() == 120
    assert handler.peak == 1, "shards and lanes share the one environment, as one container"


async def test_without_parallelization_one_invocation_at_a_time_per_shard() -> None:
    handler = Recorder(delay_s=0.01)
    kinesis, mapping = await _mapping(1, handler, MappingSettings(batch_size=10))
    await put_keyed(kinesis, "s", keys=10, per_key=3)
    await mapping.drain()
    assert handler.peak == 1


async def test_the_batching_window_gathers_records_into_fewer_invocations() -> None:
    handler = Recorder()
    settings = MappingSettings(batch_size=1000, maximum_batching_window_s=0.5)
    kinesis, mapping = await _mapping(1, handler, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(mapping.run(stop))
    for n in range(8):
        await put_keyed(kinesis, "s", keys=2, per_key=1, start=n)
        await asyncio.sleep(0.03)
    while sum(len(c) for c in handler.calls) < 16:
        await asyncio.sleep(0.05)
    stop.set()
    await task
    assert len(handler.calls) < 8, "eight puts, gathered by the window"


async def test_infinite_retries_keep_the_batch_until_it_succeeds() -> None:
    attempts: list[int] = []

    def flaky(event: dict[str, Any], context: Any) -> None:
        attempts.append(len(event["Records"]))
        if len(attempts) < 5:
            raise RuntimeError("not yet")

    kinesis = FakeKinesis(enforce_read_limit=False)
    await kinesis.create_stream(StreamName="s", ShardCount=1)
    settings = MappingSettings(batch_size=10, maximum_retry_attempts=-1)
    mapping = EventSourceMapping(KinesisSource(kinesis, "s"), flaky, settings, consumer=FAST)
    await put_keyed(kinesis, "s", keys=3, per_key=1)
    await mapping.drain()
    assert attempts == [3] * 5
    assert mapping.stats["batches_to_on_failure"] == 0


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    return type(value).__name__


async def test_the_on_failure_message_has_lambdas_shape() -> None:
    sent: list[dict[str, Any]] = []

    async def sink(message: dict[str, Any]) -> None:
        sent.append(message)

    handler = Recorder(fail={"k0"})
    settings = MappingSettings(batch_size=10, maximum_retry_attempts=1, function_name="myfunction")
    kinesis, mapping = await _mapping(1, handler, settings, sink)
    await put_keyed(kinesis, "s", keys=1, per_key=3)
    await mapping.drain()
    [message] = sent
    documented = json.loads(DOCUMENTED.read_text())
    assert _shape(message) == _shape(documented)
    info = message["KinesisBatchInfo"]
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
    for key in ("approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord"):
        assert stamp.match(info[key])
    assert stamp.match(message["timestamp"])
    assert info["batchSize"] == 3
    assert message["requestContext"]["approximateInvokeCount"] == 2
    assert info["streamArn"].endswith(":stream/s")
