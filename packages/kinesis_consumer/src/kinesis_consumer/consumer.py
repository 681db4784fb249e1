"""Public entry points of the package."""

from kinesis_consumer.esm import (
    BatchRunner,
    LambdaContext,
    MappingSettings,
    on_failure_message,
    sqs_failure_sink,
)
from kinesis_consumer.filters import matches, passes
from kinesis_consumer.poller import StreamPoller

__all__ = [
    "BatchRunner",
    "LambdaContext",
    "MappingSettings",
    "StreamPoller",
    "matches",
    "on_failure_message",
    "passes",
    "sqs_failure_sink",
]
