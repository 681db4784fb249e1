"""Batches records into PutRecords calls within Kinesis' limits and retries the failed ones.

Records that come back with an ErrorCode (throttling, internal errors) are retried with capped
exponential backoff and full jitter while the Lambda has time; when time runs out the invocation
fails so Lambda retries it, and the scorer's idempotency by `transaction_id` absorbs the replay.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PER_RECORD_LIMIT = 1024 * 1024
PutRecords = Callable[..., dict[str, Any]]


class PutBudgetExceededError(RuntimeError):
    """Records still unsent when the invocation's time ran out."""


@dataclass(frozen=True)
class WriterLimits:
    """Kinesis and time limits of one writer."""

    max_records: int = 500
    max_bytes: int = 5 * 1024 * 1024
    backoff_base_s: float = 0.1
    backoff_cap_s: float = 5.0
    time_margin_ms: int = 10_000


@dataclass
class WriterStats:
    """What the writer did: records sent, calls made, records retried."""

    records_sent: int = 0
    calls: int = 0
    records_retried: int = 0
    failures_by_code: dict[str, int] = field(default_factory=dict)


class KinesisWriter:
    """Accumulates (data, partition key) records and flushes them as PutRecords batches."""

    def __init__(
        self,
        put_records: PutRecords,
        stream_name: str,
        remaining_ms: Callable[[], int],
        limits: WriterLimits | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._put, self._stream = put_records, stream_name
        self._remaining_ms, self._sleep = remaining_ms, sleep
        self._limits = limits or WriterLimits()
        self._batch: list[dict[str, Any]] = []
        self._batch_bytes = 0
        self.stats = WriterStats()

    def add(self, data: bytes, partition_key: str) -> None:
        """Queue one record; flushes first when it would not fit in the current batch."""
        size = len(data) + len(partition_key.encode())
        if size > PER_RECORD_LIMIT:
            raise ValueError(f"record of {size} bytes exceeds Kinesis' 1 MiB limit")
        limits = self._limits
        if len(self._batch) >= limits.max_records or self._batch_bytes + size > limits.max_bytes:
            self.flush()
        self._batch.append({"Data": data, "PartitionKey": partition_key})
        self._batch_bytes += size

    def flush(self) -> None:
        """Send what is queued; return once every record is accepted by Kinesis."""
        pending, self._batch, self._batch_bytes = self._batch, [], 0
        attempt = 0
        while pending:
            reply = self._put(StreamName=self._stream, Records=pending)
            self.stats.calls += 1
            failed = [
                record
                for record, result in zip(pending, reply["Records"], strict=True)
                if "ErrorCode" in result
            ]
            self._count_failures(reply["Records"])
            self.stats.records_sent += len(pending) - len(failed)
            if not failed:
                return
            self.stats.records_retried += len(failed)
            attempt += 1
            self._back_off(attempt, len(failed))
            pending = failed

    def _count_failures(self, results: list[dict[str, Any]]) -> None:
        for result in results:
            code = result.get("ErrorCode")
            if code:
                self.stats.failures_by_code[code] = self.stats.failures_by_code.get(code, 0) + 1

    def _back_off(self, attempt: int, unsent: int) -> None:
        limits = self._limits
        delay = random.uniform(0, min(limits.backoff_cap_s, limits.backoff_base_s * 2**attempt))  # noqa: S311 - jitter
        if self._remaining_ms() - delay * 1000 < limits.time_margin_ms:
            raise PutBudgetExceededError(
                f"{unsent} records still throttled after {attempt} attempts; out of time"
            )
        self._sleep(delay)
