"""Kinesis records as Lambda's event source mapping delivers them."""

from __future__ import annotations

from typing import Any

from cardwatch_shared.contracts import Transaction
from kinesis_consumer.streams import KinesisSource


def lambda_kinesis_event(records: list[dict[str, Any]], stream_arn: str) -> dict[str, Any]:
    """A Lambda Kinesis event from GetRecords output, shaped by the consumer package as the local
    runtime shapes it (data base64-encoded, as Lambda does)."""
    shape = KinesisSource(None, stream_arn.rsplit("/", 1)[-1]).lambda_record
    return {"Records": [shape(r, "shardId-000000000000", stream_arn) for r in records]}


def put_and_read(
    kinesis: Any, stream: str, payloads: list[bytes], keys: list[str]
) -> list[dict[str, Any]]:
    """Put the payloads on a one-shard stream and read back exactly those records."""
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    replies = kinesis.put_records(
        StreamName=stream,
        Records=[{"Data": p, "PartitionKey": k} for p, k in zip(payloads, keys, strict=True)],
    )["Records"]
    first = replies[0]["SequenceNumber"]
    iterator = kinesis.get_shard_iterator(
        StreamName=stream,
        ShardId=shard,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=first,
    )["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator, Limit=len(payloads))["Records"]
    assert len(records) == len(payloads)
    return list(records)


def payload(tx: Transaction) -> bytes:
    """The stream record body of a transaction, as ingest writes it."""
    return tx.model_dump_json().encode()
