"""The name of a batch of stream records: `<shard id>:<first>-<last sequence number>`.

Lambda's on-failure record names a failed batch by these three (`KinesisBatchInfo`: `shardId`,
`startSequenceNumber`, `endSequenceNumber`); the scorer writes the same name on every log line of
the batch, so a dead letter leads to its log lines.
"""

from __future__ import annotations


def stream_batch_id(shard_id: str, first_sequence: str, last_sequence: str) -> str:
    """The batch's name; without the shard when it is not known."""
    span = f"{first_sequence}-{last_sequence}"
    return f"{shard_id}:{span}" if shard_id else span
