"""The ESM driver behaves as Lambda documents: partial failures, bisect, retries, filters."""

from __future__ import annotations

import time
from typing import Any

import pytest

from kinesis_consumer.esm import BatchRunner, MappingSettings
from kinesis_consumer.filters import passes

pytestmark = pytest.mark.unit


def records(n: int) -> list[dict[str, Any]]:
    now = time.time()
    return [
        {
            "kinesis": {
                "sequenceNumber": f"{i:05d}",
                "approximateArrivalTimestamp": now,
                "data": "",
                "partitionKey": "k",
            }
        }
        for i in range(n)
    ]


class Handler:
    """Fails the records in `bad` (by report or by raising); remembers every invocation."""

    def __init__(self, bad: set[str], raise_on_bad: bool = False) -> None:
        self.bad, self.raise_on_bad = bad, raise_on_bad
        self.calls: list[list[str]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        ids = [r["kinesis"]["sequenceNumber"] for r in event["Records"]]
        self.calls.append(ids)
        failed = [i for i in ids if i in self.bad]
        if failed and self.raise_on_bad:
            raise RuntimeError("poison")
        return {"batchItemFailures": [{"itemIdentifier": i} for i in failed]}


async def run(
    handler: Handler, settings: MappingSettings, n: int = 6
) -> tuple[BatchRunner, list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []

    async def sink(message: dict[str, Any]) -> None:
        sent.append(message)

    runner = BatchRunner(handler, settings, sink, "shardId-000000000000", "arn:aws:kinesis:s")
    await runner.deliver(records(n))
    return runner, sent


async def test_resumes_at_the_lowest_failed_record() -> None:
    handler = Handler(bad={"00002", "00004"})
    runner, sent = await run(handler, MappingSettings(batch_size=10, maximum_retry_attempts=2))
    assert handler.calls[0] == ["00000", "00001", "00002", "00003", "00004", "00005"]
    assert handler.calls[1] == ["00002", "00003", "00004", "00005"]
    assert len(handler.calls) == 3  # the first try and two retries
    [message] = sent
    info = message["KinesisBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (
        "00002",
        "00005",
        4,
    )
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert runner.stats.batches_to_on_failure == 1


async def test_bisect_isolates_a_poison_record() -> None:
    handler = Handler(bad={"00003"}, raise_on_bad=True)
    settings = MappingSettings(
        batch_size=8,
        bisect_batch_on_function_error=True,
        maximum_retry_attempts=5,
        report_batch_item_failures=False,
    )
    _, sent = await run(handler, settings, n=8)
    [message] = sent
    assert message["KinesisBatchInfo"]["startSequenceNumber"] == "00003"
    assert message["KinesisBatchInfo"]["batchSize"] == 1
    delivered = {i for call in handler.calls for i in call if i != "00003"}
    assert delivered == {f"{i:05d}" for i in range(8)} - {"00003"}


async def test_batch_size_is_respected() -> None:
    handler = Handler(bad=set())
    await run(handler, MappingSettings(batch_size=4), n=10)
    assert [len(c) for c in handler.calls] == [4, 4, 2]


async def test_old_records_go_to_the_destination_unprocessed() -> None:
    handler = Handler(bad=set())
    old = records(2)
    for r in old:
        r["kinesis"]["approximateArrivalTimestamp"] = time.time() - 7200
    sent: list[dict[str, Any]] = []

    async def sink(message: dict[str, Any]) -> None:
        sent.append(message)

    runner = BatchRunner(handler, MappingSettings(maximum_record_age_s=60), sink, "s", "arn")
    await runner.deliver(old)
    assert handler.calls == []
    assert sent[0]["requestContext"]["condition"] == "RecordAgeExceeded"


def test_filter_criteria_like_the_notifier_template() -> None:
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"is_fraud": {"BOOL": [True]}}}}
    fraud = {"eventName": "INSERT", "dynamodb": {"NewImage": {"is_fraud": {"BOOL": True}}}}
    legit = {"eventName": "INSERT", "dynamodb": {"NewImage": {"is_fraud": {"BOOL": False}}}}
    modify = {"eventName": "MODIFY", "dynamodb": {"NewImage": {"is_fraud": {"BOOL": True}}}}
    assert passes([pattern], fraud)
    assert not passes([pattern], legit)
    assert not passes([pattern], modify)
    assert passes([], legit)
    assert passes([{"eventName": [{"anything-but": ["REMOVE"]}]}], modify)
    assert passes([{"x": [{"numeric": [">", 5, "<=", 10]}]}], {"x": 10})
    assert not passes([{"x": [{"exists": True}]}], {})
