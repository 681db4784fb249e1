"""Reads a DynamoDB stream from moto and shapes the records as Lambda's ESM delivers them."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class StreamTap:
    """Follows every shard of a table's stream; `next_event()` returns what arrived since."""

    def __init__(self, streams: Any, stream_arn: str) -> None:
        self._streams, self._arn = streams, stream_arn
        self._iterators: dict[str, str] = {}

    def _shards(self) -> list[str]:
        desc = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]
        return [shard["ShardId"] for shard in desc["Shards"]]

    def next_event(self) -> dict[str, Any]:
        """A Lambda DynamoDB-stream event with every record not yet returned."""
        records: list[dict[str, Any]] = []
        for shard in self._shards():
            iterator = (
                self._iterators.get(shard)
                or self._streams.get_shard_iterator(
                    StreamArn=self._arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            )
            reply = self._streams.get_records(ShardIterator=iterator)
            records += [self._as_lambda(r) for r in reply["Records"]]
            self._iterators[shard] = reply["NextShardIterator"]
        return {"Records": records}

    def _as_lambda(self, record: dict[str, Any]) -> dict[str, Any]:
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = created.timestamp()
        return {**record, "dynamodb": dynamodb, "eventSourceARN": self._arn}
