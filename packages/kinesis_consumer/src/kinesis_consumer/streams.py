"""The shard model shared by Kinesis Data Streams and DynamoDB Streams, behind one small adapter.

Both services have shards with parents, iterators and GetRecords; they differ in the client, the
names of the arguments and the record shape. `KinesisSource` and `DynamoDBStreamSource` hide that.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

TRIM_HORIZON = "TRIM_HORIZON"
LATEST = "LATEST"
AT_TIMESTAMP = "AT_TIMESTAMP"
SHARD_END = "SHARD_END"
INITIAL_POSITIONS = (TRIM_HORIZON, LATEST, AT_TIMESTAMP)


@dataclass(frozen=True)
class ShardInfo:
    """A shard and its parents (one after a split, two after a merge)."""

    shard_id: str
    parent_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Position:
    """Where to start reading a shard: after a checkpoint, or an initial position."""

    kind: str = TRIM_HORIZON
    sequence: str | None = None
    timestamp: datetime | None = None

    @classmethod
    def after(cls, sequence: str) -> Position:
        return cls("AFTER_SEQUENCE_NUMBER", sequence=sequence)


@dataclass(frozen=True)
class ReadResult:
    """One GetRecords answer: records, the next iterator (None at SHARD_END), lag, children."""

    records: list[dict[str, Any]]
    next_iterator: str | None
    millis_behind: int | None
    child_ids: tuple[str, ...] = ()


def _iterator_args(position: Position) -> dict[str, Any]:
    args: dict[str, Any] = {"ShardIteratorType": position.kind}
    if position.sequence is not None:
        args["StartingSequenceNumber"] = position.sequence
    if position.timestamp is not None:
        args["Timestamp"] = position.timestamp
    return args


class StreamSource(Protocol):
    """What a consumer needs from a stream service."""

    @property
    def name(self) -> str: ...

    async def arn(self) -> str: ...

    async def shards(self) -> list[ShardInfo]: ...

    async def iterator(self, shard_id: str, position: Position) -> str: ...

    async def read(self, iterator: str, limit: int) -> ReadResult: ...

    def sequence(self, raw: dict[str, Any]) -> str: ...

    def partition_key(self, raw: dict[str, Any]) -> str: ...

    def lambda_record(self, raw: dict[str, Any], shard_id: str, arn: str) -> dict[str, Any]: ...


@dataclass
class KinesisSource:
    """A Kinesis data stream, through an (aioboto3 or fake) Kinesis client."""

    client: Any
    stream_name: str
    region: str = "us-east-1"

    @property
    def name(self) -> str:
        return self.stream_name

    async def arn(self) -> str:
        reply = await self.client.describe_stream_summary(StreamName=self.stream_name)
        return str(reply["StreamDescriptionSummary"]["StreamARN"])

    async def shards(self) -> list[ShardInfo]:
        found: list[ShardInfo] = []
        args: dict[str, Any] = {"StreamName": self.stream_name}
        while True:
            reply = await self.client.list_shards(**args)
            found += [_shard_info(s) for s in reply["Shards"]]
            if not reply.get("NextToken"):
                return found
            args = {"NextToken": reply["NextToken"]}

    async def iterator(self, shard_id: str, position: Position) -> str:
        reply = await self.client.get_shard_iterator(
            StreamName=self.stream_name, ShardId=shard_id, **_iterator_args(position)
        )
        return str(reply["ShardIterator"])

    async def read(self, iterator: str, limit: int) -> ReadResult:
        reply = await self.client.get_records(ShardIterator=iterator, Limit=limit)
        children = tuple(c["ShardId"] for c in reply.get("ChildShards") or [])
        return ReadResult(
            reply["Records"],
            reply.get("NextShardIterator"),
            reply.get("MillisBehindLatest"),
            children,
        )

    def sequence(self, raw: dict[str, Any]) -> str:
        return str(raw["SequenceNumber"])

    def partition_key(self, raw: dict[str, Any]) -> str:
        return str(raw["PartitionKey"])

    def lambda_record(self, raw: dict[str, Any], shard_id: str, arn: str) -> dict[str, Any]:
        """GetRecords output → the record of a Lambda Kinesis event."""
        return {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": raw["PartitionKey"],
                "sequenceNumber": raw["SequenceNumber"],
                "data": base64.b64encode(raw["Data"]).decode(),
                "approximateArrivalTimestamp": raw["ApproximateArrivalTimestamp"].timestamp(),
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"{shard_id}:{raw['SequenceNumber']}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda",
            "awsRegion": self.region,
            "eventSourceARN": arn,
        }


@dataclass
class DynamoDBStreamSource:
    """A DynamoDB stream, through an (aioboto3) DynamoDB Streams client."""

    client: Any
    stream_arn: str

    @property
    def name(self) -> str:
        return self.stream_arn

    async def arn(self) -> str:
        return self.stream_arn

    async def shards(self) -> list[ShardInfo]:
        found: list[ShardInfo] = []
        args: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            description = (await self.client.describe_stream(**args))["StreamDescription"]
            found += [_shard_info(s) for s in description["Shards"]]
            last = description.get("LastEvaluatedShardId")
            if not last:
                return found
            args = {"StreamArn": self.stream_arn, "ExclusiveStartShardId": last}

    async def iterator(self, shard_id: str, position: Position) -> str:
        args = _iterator_args(position)
        if "StartingSequenceNumber" in args:  # DynamoDB Streams names it differently
            args["SequenceNumber"] = args.pop("StartingSequenceNumber")
        reply = await self.client.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard_id, **args
        )
        return str(reply["ShardIterator"])

    async def read(self, iterator: str, limit: int) -> ReadResult:
        reply = await self.client.get_records(ShardIterator=iterator, Limit=min(limit, 1000))
        return ReadResult(reply["Records"], reply.get("NextShardIterator"), None)

    def sequence(self, raw: dict[str, Any]) -> str:
        return str(raw["dynamodb"]["SequenceNumber"])

    def partition_key(self, raw: dict[str, Any]) -> str:
        return str(sorted(raw["dynamodb"].get("Keys", {}).items()))

    def lambda_record(self, raw: dict[str, Any], shard_id: str, arn: str) -> dict[str, Any]:  # noqa: ARG002 - the shard id is not part of a DynamoDB event record
        """DynamoDB Streams GetRecords output → the record of a Lambda DynamoDB event."""
        dynamodb = dict(raw["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = created.timestamp()
        return {**raw, "dynamodb": dynamodb, "eventSourceARN": arn}


def _shard_info(shard: dict[str, Any]) -> ShardInfo:
    parents = (shard.get("ParentShardId"), shard.get("AdjacentParentShardId"))
    return ShardInfo(shard["ShardId"], tuple(p for p in parents if p))
