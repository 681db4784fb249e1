"""Batching within PutRecords' limits, retry of failed records only, and the time budget."""

from __future__ import annotations

from typing import Any

import pytest

from cardwatch_ingest.kinesis_writer import KinesisWriter, PutBudgetExceededError, WriterLimits

pytestmark = pytest.mark.unit


class RecordingPut:
    """Records each PutRecords call; fails the records whose data is in `fail_once` once."""

    def __init__(self, fail_once: set[bytes] | None = None) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.fail_once = set(fail_once or ())

    def __call__(self, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        self.calls.append(Records)
        results: list[dict[str, Any]] = []
        for record in Records:
            if record["Data"] in self.fail_once:
                self.fail_once.discard(record["Data"])
                results.append({"ErrorCode": "ProvisionedThroughputExceededException"})
            else:
                results.append({"SequenceNumber": "1", "ShardId": "shardId-0"})
        return {"Records": results}


def writer(put: RecordingPut, remaining_ms: int = 900_000, **limits: Any) -> KinesisWriter:
    return KinesisWriter(
        put, "s", lambda: remaining_ms, WriterLimits(**limits), sleep=lambda _: None
    )


def test_at_most_500_records_per_call() -> None:
    put = RecordingPut()
    w = writer(put)
    for i in range(1201):
        w.add(str(i).encode(), "k")
    w.flush()
    assert [len(c) for c in put.calls] == [500, 500, 201]
    assert w.stats.records_sent == 1201


def test_at_most_5_mib_per_call() -> None:
    put = RecordingPut()
    w = writer(put)
    record = b"x" * (900 * 1024)
    for _ in range(12):
        w.add(record, "k")
    w.flush()
    sizes = [sum(len(r["Data"]) + 1 for r in call) for call in put.calls]
    assert all(size <= 5 * 1024 * 1024 for size in sizes)
    assert sum(len(c) for c in put.calls) == 12


def test_record_over_1_mib_is_refused() -> None:
    with pytest.raises(ValueError, match="1 MiB"):
        writer(RecordingPut()).add(b"x" * (1024 * 1024), "k")


def test_only_failed_records_are_retried() -> None:
    put = RecordingPut(fail_once={b"3", b"7"})
    w = writer(put)
    for i in range(10):
        w.add(str(i).encode(), "k")
    w.flush()
    assert [len(c) for c in put.calls] == [10, 2]
    assert [r["Data"] for r in put.calls[1]] == [b"3", b"7"]
    assert w.stats.records_sent == 10
    assert w.stats.records_retried == 2
    assert w.stats.failures_by_code == {"ProvisionedThroughputExceededException": 2}


def test_out_of_time_raises() -> None:
    put = RecordingPut(fail_once={b"1"})
    w = writer(put, remaining_ms=5_000, time_margin_ms=10_000)
    w.add(b"1", "k")
    with pytest.raises(PutBudgetExceededError, match="1 records still throttled"):
        w.flush()
