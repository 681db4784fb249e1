"""Reads every record of a stream from TRIM_HORIZON: what tests check the producer against."""

from __future__ import annotations

import json
from typing import Any


def raw_records(kinesis: Any, stream: str) -> list[dict[str, Any]]:
    """Every record on every shard as GetRecords returns it, in shard order."""
    records: list[dict[str, Any]] = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            reply = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
            records += reply["Records"]
            if not reply["Records"]:
                break
            iterator = reply.get("NextShardIterator")
    return records


def read_all(kinesis: Any, stream: str) -> list[dict[str, Any]]:
    """Every record on every shard, decoded from JSON, in shard order."""
    return [json.loads(r["Data"]) for r in raw_records(kinesis, stream)]
