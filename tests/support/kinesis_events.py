"""Kinesis records as Lambda's event source mapping delivers them."""

from __future__ import annotations

import base64
from typing import Any

from cardwatch_shared.contracts import Transaction


def lambda_kinesis_event(records: list[dict[str, Any]], stream_arn: str) -> dict[str, Any]:
    """A Lambda Kinesis event from GetRecords output (data base64-encoded, as Lambda does)."""
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": r["PartitionKey"],
                    "sequenceNumber": r["SequenceNumber"],
                    "data": base64.b64encode(r["Data"]).decode(),
                    "approximateArrivalTimestamp": r["ApproximateArrivalTimestamp"].timestamp(),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{r['SequenceNumber']}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": "arn:aws:iam::123456789012:role/cardwatch-scorer",
                "awsRegion": "us-east-1",
                "eventSourceARN": stream_arn,
            }
            for r in records
        ]
    }


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
