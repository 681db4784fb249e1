"""An in-memory Kinesis for tests: what moto does not do, and no network.

moto's GetRecords never reports SHARD_END and its SplitShard renumbers records; it has no
throttling and no iterator expiry. `FakeKinesis` speaks the same (async) client API the consumer
uses — CreateStream, PutRecord(s), ListShards, DescribeStreamSummary, GetShardIterator,
GetRecords, SplitShard, MergeShards — with real hash-key routing, closed shards that end with
`NextShardIterator: None` and `ChildShards`, per-shard read limits (5 calls/s) and fault hooks:
`throttle_next(n)` and `expire_iterators()`.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

MAX_HASH = 2**128 - 1
ACCOUNT = "123456789012"
READS_PER_SECOND = 5
ITERATOR_TTL_S = 300.0


def _error(code: str, message: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@dataclass
class _Record:
    sequence: int
    partition_key: str
    data: bytes
    arrival: datetime


@dataclass
class _Shard:
    shard_id: str
    start_hash: int
    end_hash: int
    parents: tuple[str, ...] = ()
    records: list[_Record] = field(default_factory=list)
    closed: bool = False
    children: tuple[str, ...] = ()
    reads: deque[float] = field(default_factory=deque)

    def describe(self) -> dict[str, Any]:
        shard: dict[str, Any] = {
            "ShardId": self.shard_id,
            "HashKeyRange": {
                "StartingHashKey": str(self.start_hash),
                "EndingHashKey": str(self.end_hash),
            },
            "SequenceNumberRange": {"StartingSequenceNumber": _seq(self.first_sequence())},
        }
        if self.closed:
            shard["SequenceNumberRange"]["EndingSequenceNumber"] = _seq(self.last_sequence())
        for key, parent in zip(
            ("ParentShardId", "AdjacentParentShardId"), self.parents, strict=False
        ):
            shard[key] = parent
        return shard

    def first_sequence(self) -> int:
        return self.records[0].sequence if self.records else 0

    def last_sequence(self) -> int:
        return self.records[-1].sequence if self.records else 0


@dataclass
class _Iterator:
    stream: str
    shard_id: str
    index: int
    issued: float


def _seq(number: int) -> str:
    return f"{number:056d}"


def _hash_key(partition_key: str) -> int:
    return int.from_bytes(hashlib.md5(partition_key.encode()).digest(), "big")  # noqa: S324 - Kinesis's own routing hash


class FakeKinesis:
    """An async, in-memory stand-in for an aioboto3 Kinesis client (the calls listed above)."""

    def __init__(self, *, enforce_read_limit: bool = True) -> None:
        self._streams: dict[str, dict[str, _Shard]] = {}
        self._iterators: dict[str, _Iterator] = {}
        self._sequence = itertools.count(1)
        self._token = itertools.count(1)
        self._throttles = 0
        self.enforce_read_limit = enforce_read_limit
        self.calls: dict[str, int] = {}
        self.read_times: dict[str, list[float]] = {}

    # -- fault hooks -------------------------------------------------------------------------
    def throttle_next(self, count: int) -> None:
        """The next `count` GetRecords calls fail with ProvisionedThroughputExceededException."""
        self._throttles += count

    def expire_iterators(self) -> None:
        """Every iterator handed out so far is expired (as after five minutes)."""
        for iterator in self._iterators.values():
            iterator.issued = -ITERATOR_TTL_S

    # -- control plane -----------------------------------------------------------------------
    def _count(self, operation: str) -> None:
        self.calls[operation] = self.calls.get(operation, 0) + 1

    async def create_stream(self, StreamName: str, ShardCount: int = 1) -> dict[str, Any]:
        width = (MAX_HASH + 1) // ShardCount
        shards = {}
        for index in range(ShardCount):
            end = MAX_HASH if index == ShardCount - 1 else (index + 1) * width - 1
            shard = _Shard(f"shardId-{index:012d}", index * width, end)
            shards[shard.shard_id] = shard
        self._streams[StreamName] = shards
        return {}

    def _stream(self, name: str, operation: str) -> dict[str, _Shard]:
        if name not in self._streams:
            raise _error("ResourceNotFoundException", f"Stream {name} not found", operation)
        return self._streams[name]

    async def describe_stream_summary(self, StreamName: str) -> dict[str, Any]:
        self._count("DescribeStreamSummary")
        shards = self._stream(StreamName, "DescribeStreamSummary")
        arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{StreamName}"
        open_shards = sum(not s.closed for s in shards.values())
        summary = {"StreamName": StreamName, "StreamARN": arn, "OpenShardCount": open_shards}
        return {"StreamDescriptionSummary": summary}

    async def list_shards(self, StreamName: str = "", NextToken: str = "") -> dict[str, Any]:
        self._count("ListShards")
        shards = self._stream(StreamName or NextToken, "ListShards")
        return {"Shards": [s.describe() for s in shards.values()]}

    async def split_shard(
        self, StreamName: str, ShardToSplit: str, NewStartingHashKey: str
    ) -> None:
        """Close the shard; two children take the lower and upper hash ranges."""
        shards = self._stream(StreamName, "SplitShard")
        parent, middle = shards[ShardToSplit], int(NewStartingHashKey)
        low, high = self._new_id(shards), f"shardId-{len(shards) + 1:012d}"
        shards[low] = _Shard(low, parent.start_hash, middle - 1, (parent.shard_id,))
        shards[high] = _Shard(high, middle, parent.end_hash, (parent.shard_id,))
        parent.closed, parent.children = True, (low, high)

    async def merge_shards(
        self, StreamName: str, ShardToMerge: str, AdjacentShardToMerge: str
    ) -> None:
        """Close two adjacent shards; one child takes both hash ranges."""
        shards = self._stream(StreamName, "MergeShards")
        first, second = sorted(
            (shards[ShardToMerge], shards[AdjacentShardToMerge]), key=lambda s: s.start_hash
        )
        child = self._new_id(shards)
        shards[child] = _Shard(
            child, first.start_hash, second.end_hash, (ShardToMerge, AdjacentShardToMerge)
        )
        for parent in (first, second):
            parent.closed, parent.children = True, (child,)

    @staticmethod
    def _new_id(shards: dict[str, _Shard]) -> str:
        return f"shardId-{len(shards):012d}"

    # -- data plane --------------------------------------------------------------------------
    async def put_record(self, StreamName: str, Data: bytes, PartitionKey: str) -> dict[str, Any]:
        self._count("PutRecord")
        shards = self._stream(StreamName, "PutRecord")
        key = _hash_key(PartitionKey)
        shard = next(
            s for s in shards.values() if not s.closed and s.start_hash <= key <= s.end_hash
        )
        record = _Record(next(self._sequence), PartitionKey, Data, datetime.now(UTC))
        shard.records.append(record)
        return {"ShardId": shard.shard_id, "SequenceNumber": _seq(record.sequence)}

    async def put_records(self, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:
        results = [await self.put_record(StreamName, r["Data"], r["PartitionKey"]) for r in Records]
        return {"FailedRecordCount": 0, "Records": results}

    async def get_shard_iterator(
        self,
        StreamName: str,
        ShardId: str,
        ShardIteratorType: str,
        StartingSequenceNumber: str = "",
        Timestamp: datetime | None = None,
    ) -> dict[str, Any]:
        self._count("GetShardIterator")
        shard = self._stream(StreamName, "GetShardIterator")[ShardId]
        index = self._start_index(shard, ShardIteratorType, StartingSequenceNumber, Timestamp)
        token = f"it-{next(self._token)}"
        self._iterators[token] = _Iterator(StreamName, ShardId, index, time.monotonic())
        return {"ShardIterator": token}

    @staticmethod
    def _start_index(shard: _Shard, kind: str, sequence: str, timestamp: datetime | None) -> int:
        sequences = [r.sequence for r in shard.records]
        if kind == "TRIM_HORIZON":
            return 0
        if kind == "LATEST":
            return len(sequences)
        if kind == "AT_TIMESTAMP" and timestamp is not None:
            return next(
                (i for i, r in enumerate(shard.records) if r.arrival >= timestamp), len(sequences)
            )
        number = int(sequence)
        if kind == "AT_SEQUENCE_NUMBER":
            return next((i for i, s in enumerate(sequences) if s >= number), len(sequences))
        return next((i for i, s in enumerate(sequences) if s > number), len(sequences))

    def _check_read(self, shard: _Shard) -> None:
        now = time.monotonic()
        while shard.reads and now - shard.reads[0] >= 1.0:
            shard.reads.popleft()
        if self._throttles or (self.enforce_read_limit and len(shard.reads) >= READS_PER_SECOND):
            self._throttles = max(0, self._throttles - 1)
            raise _error(
                "ProvisionedThroughputExceededException",
                f"Rate exceeded for shard {shard.shard_id}",
                "GetRecords",
            )
        shard.reads.append(now)
        self.read_times.setdefault(shard.shard_id, []).append(now)

    async def get_records(self, ShardIterator: str, Limit: int = 10_000) -> dict[str, Any]:
        self._count("GetRecords")
        iterator = self._iterators.pop(ShardIterator, None)
        if iterator is None or time.monotonic() - iterator.issued > ITERATOR_TTL_S:
            raise _error("ExpiredIteratorException", "Iterator expired", "GetRecords")
        shard = self._streams[iterator.stream][iterator.shard_id]
        self._check_read(shard)
        batch = shard.records[iterator.index : iterator.index + Limit]
        end = iterator.index + len(batch)
        reply: dict[str, Any] = {
            "Records": [_raw(r) for r in batch],
            "MillisBehindLatest": _behind(shard, end),
        }
        if shard.closed and end >= len(shard.records):
            reply["NextShardIterator"] = None
            reply["ChildShards"] = [
                {"ShardId": c, "ParentShards": [shard.shard_id]} for c in shard.children
            ]
            return reply
        token = f"it-{next(self._token)}"
        self._iterators[token] = _Iterator(iterator.stream, shard.shard_id, end, time.monotonic())
        reply["NextShardIterator"] = token
        return reply


def _raw(record: _Record) -> dict[str, Any]:
    return {
        "SequenceNumber": _seq(record.sequence),
        "ApproximateArrivalTimestamp": record.arrival,
        "Data": record.data,
        "PartitionKey": record.partition_key,
    }


def _behind(shard: _Shard, index: int) -> int:
    if index >= len(shard.records):
        return 0
    age = datetime.now(UTC) - shard.records[index].arrival
    return int(age.total_seconds() * 1000)
