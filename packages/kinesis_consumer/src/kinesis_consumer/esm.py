"""A Lambda event-source-mapping driver: feeds a `(event, context) -> response` handler from a
Kinesis or DynamoDB stream with the mapping's semantics.

`BatchRunner` delivers one shard's (or one parallelisation lane's) records in order: FilterCriteria
applied before batching, batches of at most `batch_size` records and 6 MB,
`ReportBatchItemFailures` (resume at the lowest failed sequence number and replay what follows),
`BisectBatchOnFunctionError`, `MaximumRetryAttempts` and `MaximumRecordAgeInSeconds` (-1 is
infinite, as in Lambda), and an on-failure destination that gets Lambda's message shape (batch
info, not the records). `mapping.EventSourceMapping` puts it on top of the lease-based consumer.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kinesis_consumer.filters import passes

MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
RECORD_OVERHEAD_BYTES = 400  # the JSON around a Kinesis record's data in the event

Handler = Callable[[dict[str, Any], Any], Any]
FailureSink = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class MappingSettings:
    """The event source mapping's knobs, as in CloudFormation."""

    batch_size: int = 100
    maximum_batching_window_s: float = 0.0
    bisect_batch_on_function_error: bool = False
    maximum_retry_attempts: int = 3
    maximum_record_age_s: int = 3600
    report_batch_item_failures: bool = True
    filters: list[dict[str, Any] | str] = field(default_factory=list)
    function_name: str = "function"
    parallelization_factor: int = 1
    starting_position: str = "TRIM_HORIZON"
    starting_position_timestamp: datetime | None = None


@dataclass
class LambdaContext:
    """The context a handler receives: request id and the time it has left."""

    function_name: str
    timeout_s: float = 900.0
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return int((self.timeout_s - (time.monotonic() - self.started)) * 1000)


@dataclass
class DriverStats:
    """What the driver did."""

    invocations: int = 0
    records_delivered: int = 0
    records_filtered: int = 0
    batches_to_on_failure: int = 0
    function_errors: int = 0


def sequence_of(record: dict[str, Any]) -> str:
    """The sequence number of a Lambda-shaped stream record."""
    if "kinesis" in record:
        return str(record["kinesis"]["sequenceNumber"])
    return str(record["dynamodb"]["SequenceNumber"])


def _payload_bytes(record: dict[str, Any]) -> int:
    if "kinesis" in record:
        return len(record["kinesis"]["data"]) + RECORD_OVERHEAD_BYTES
    return len(json.dumps(record, default=str))


def batches(records: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Consecutive batches of at most `size` records and Lambda's 6 MB invocation payload."""
    batch: list[dict[str, Any]] = []
    payload = 0
    for record in records:
        weight = _payload_bytes(record)
        if batch and (len(batch) == size or payload + weight > MAX_PAYLOAD_BYTES):
            yield batch
            batch, payload = [], 0
        batch.append(record)
        payload += weight
    if batch:
        yield batch


def _arrival(record: dict[str, Any]) -> float:
    if "kinesis" in record:
        return float(record["kinesis"]["approximateArrivalTimestamp"])
    return float(record["dynamodb"].get("ApproximateCreationDateTime", time.time()))


def _iso(ts: float) -> str:
    """Lambda's timestamps: ISO 8601, milliseconds, Z."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def on_failure_message(
    batch: list[dict[str, Any]],
    shard_id: str,
    stream_arn: str,
    settings: MappingSettings,
    *,
    condition: str,
    attempts: int,
) -> dict[str, Any]:
    """The message Lambda sends to an on-failure destination for a stream batch."""
    kind = "KinesisBatchInfo" if "kinesis" in batch[0] else "DDBStreamBatchInfo"
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": LambdaContext(settings.function_name).invoked_function_arn,
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "version": "1.0",
        "timestamp": _iso(time.time()),
        kind: {
            "shardId": shard_id,
            "startSequenceNumber": sequence_of(batch[0]),
            "endSequenceNumber": sequence_of(batch[-1]),
            "approximateArrivalOfFirstRecord": _iso(_arrival(batch[0])),
            "approximateArrivalOfLastRecord": _iso(_arrival(batch[-1])),
            "batchSize": len(batch),
            "streamArn": stream_arn,
        },
    }


class BatchRunner:
    """Delivers one shard's records to the handler with the mapping's retry semantics."""

    def __init__(
        self,
        handler: Handler,
        settings: MappingSettings,
        on_failure: FailureSink | None,
        shard_id: str,
        stream_arn: str,
        environments: asyncio.Semaphore | None = None,
    ) -> None:
        self._handler, self._settings, self._on_failure = handler, settings, on_failure
        self._shard, self._arn = shard_id, stream_arn
        self._environments = environments or asyncio.Semaphore(1)
        self.stats = DriverStats()

    async def deliver(self, records: list[dict[str, Any]]) -> None:
        """Deliver records (in order) until each one succeeded or went to the on-failure sink."""
        kept = [r for r in records if passes(self._settings.filters, r)]
        self.stats.records_filtered += len(records) - len(kept)
        for batch in batches(kept, self._settings.batch_size):
            await self._run(batch)

    async def _invoke(self, batch: list[dict[str, Any]]) -> tuple[bool, int | None]:
        """(function error?, index of the lowest failed record or None)."""
        self.stats.invocations += 1
        context = LambdaContext(self._settings.function_name)
        try:
            async with self._environments:  # an execution environment runs one event at a time
                response = await asyncio.to_thread(self._handler, {"Records": batch}, context)
        except Exception:
            self.stats.function_errors += 1
            return True, None
        failures = (
            (response or {}).get("batchItemFailures", [])
            if self._settings.report_batch_item_failures
            else []
        )
        ids = [sequence_of(r) for r in batch]
        failed = [
            ids.index(f["itemIdentifier"]) for f in failures if f.get("itemIdentifier") in ids
        ]
        if any(not f.get("itemIdentifier") for f in failures):
            return False, 0  # an empty identifier fails the whole batch
        return False, min(failed) if failed else None

    async def _run(self, batch: list[dict[str, Any]], attempts: int = 0) -> None:
        while batch:
            if self._too_old(batch):
                await self._give_up(batch, "RecordAgeExceeded", attempts)
                return
            error, lowest = await self._invoke(batch)
            if not error and lowest is None:
                self.stats.records_delivered += len(batch)
                return
            attempts += 1
            if error and self._settings.bisect_batch_on_function_error and len(batch) > 1:
                half = len(batch) // 2
                await self._run(batch[:half], attempts)
                await self._run(batch[half:], attempts)
                return
            if 0 <= self._settings.maximum_retry_attempts < attempts:
                await self._give_up(
                    batch if error else batch[lowest or 0 :], "RetryAttemptsExhausted", attempts
                )
                return
            if lowest:
                self.stats.records_delivered += lowest
                batch = batch[lowest:]

    def _too_old(self, batch: list[dict[str, Any]]) -> bool:
        limit = self._settings.maximum_record_age_s
        return limit >= 0 and time.time() - _arrival(batch[0]) > limit

    async def _give_up(self, batch: list[dict[str, Any]], condition: str, attempts: int) -> None:
        self.stats.batches_to_on_failure += 1
        if self._on_failure is not None:
            message = on_failure_message(
                batch,
                self._shard,
                self._arn,
                self._settings,
                condition=condition,
                attempts=attempts,
            )
            await self._on_failure(message)


def sqs_failure_sink(sqs: Any, queue_url: str) -> FailureSink:
    """An on-failure destination that sends to SQS (an aioboto3 client)."""

    async def send(message: dict[str, Any]) -> None:
        await sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(message))

    return send
