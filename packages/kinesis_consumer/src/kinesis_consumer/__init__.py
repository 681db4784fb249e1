"""Public entry points of the package."""

from kinesis_consumer.consumer import Consumer, ConsumerSettings, ShardBatch
from kinesis_consumer.esm import (
    BatchRunner,
    LambdaContext,
    MappingSettings,
    on_failure_message,
    sqs_failure_sink,
)
from kinesis_consumer.filters import matches, passes
from kinesis_consumer.leases import DynamoDBLeaseTable, Lease, LeaseLostError, MemoryLeaseStore
from kinesis_consumer.mapping import EventSourceMapping
from kinesis_consumer.streams import DynamoDBStreamSource, KinesisSource, Position

__all__ = [
    "BatchRunner",
    "Consumer",
    "ConsumerSettings",
    "DynamoDBLeaseTable",
    "DynamoDBStreamSource",
    "EventSourceMapping",
    "KinesisSource",
    "LambdaContext",
    "Lease",
    "LeaseLostError",
    "MappingSettings",
    "MemoryLeaseStore",
    "Position",
    "ShardBatch",
    "matches",
    "on_failure_message",
    "passes",
    "sqs_failure_sink",
]
