"""Polls every shard of a Kinesis stream or DynamoDB stream and hands records to a `BatchRunner`
per shard: at most five GetRecords calls a second per shard, iterators kept between polls."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Literal

from kinesis_consumer.esm import (
    BatchRunner,
    FailureSink,
    Handler,
    MappingSettings,
    dynamodb_record,
    kinesis_record,
)

MIN_POLL_INTERVAL_S = 0.2


@dataclass
class _Shard:
    iterator: str | None = None
    runner: BatchRunner | None = None
    finished: bool = False


@dataclass
class StreamPoller:
    """One event source mapping: a stream, a handler, the mapping's settings."""

    client: Any
    kind: Literal["kinesis", "dynamodb"]
    stream: str
    handler: Handler
    settings: MappingSettings
    on_failure: FailureSink | None = None
    region: str = "us-east-1"
    _shards: dict[str, _Shard] = field(default_factory=dict)
    _arn: str = ""

    async def _discover(self) -> list[str]:
        if self.kind == "kinesis":
            reply = await self.client.describe_stream_summary(StreamName=self.stream)
            self._arn = reply["StreamDescriptionSummary"]["StreamARN"]
            shards = (await self.client.list_shards(StreamName=self.stream))["Shards"]
        else:
            self._arn = self.stream
            shards = (await self.client.describe_stream(StreamArn=self.stream))[
                "StreamDescription"
            ]["Shards"]
        return [s["ShardId"] for s in shards]

    async def _iterator(self, shard_id: str) -> str:
        if self.kind == "kinesis":
            reply = await self.client.get_shard_iterator(
                StreamName=self.stream, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )
        else:
            reply = await self.client.get_shard_iterator(
                StreamArn=self.stream, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )
        return str(reply["ShardIterator"])

    def _shape(self, raw: dict[str, Any], shard_id: str) -> dict[str, Any]:
        if self.kind == "kinesis":
            return kinesis_record(raw, self._arn, shard_id, self.region)
        return dynamodb_record(raw, self._arn)

    async def poll_once(self) -> int:
        """One GetRecords per shard; deliver what came. Returns the number of records read."""
        for shard_id in await self._discover():
            self._shards.setdefault(shard_id, _Shard())
        seen = 0
        for shard_id, shard in self._shards.items():
            if shard.finished:
                continue
            if shard.runner is None:
                shard.runner = BatchRunner(
                    self.handler, self.settings, self.on_failure, shard_id, self._arn
                )
            shard.iterator = shard.iterator or await self._iterator(shard_id)
            reply = await self.client.get_records(ShardIterator=shard.iterator, Limit=10_000)
            records = [self._shape(r, shard_id) for r in reply["Records"]]
            seen += len(records)
            await shard.runner.deliver(records)
            shard.iterator = reply.get("NextShardIterator")
            shard.finished = shard.iterator is None
        return seen

    async def drain(self, idle_polls: int = 2) -> int:
        """Poll until `idle_polls` polls in a row read nothing; the records read."""
        total, idle = 0, 0
        while idle < idle_polls:
            seen = await self.poll_once()
            total += seen
            idle = 0 if seen else idle + 1
            await asyncio.sleep(MIN_POLL_INTERVAL_S)
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set."""
        while not stop.is_set():
            if not await self.poll_once():
                await asyncio.sleep(MIN_POLL_INTERVAL_S)

    @property
    def stats(self) -> dict[str, int]:
        """Totals over the shards."""
        totals: dict[str, int] = {}
        for shard in self._shards.values():
            if shard.runner:
                for key, value in vars(shard.runner.stats).items():
                    totals[key] = totals.get(key, 0) + value
        return totals
