"""The in-memory Kinesis does what moto does not: SHARD_END with children, throttling, expiry."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from kinesis_consumer.fake import FakeKinesis

pytestmark = pytest.mark.unit


async def _stream(shards: int = 1) -> FakeKinesis:
    kinesis = FakeKinesis(enforce_read_limit=False)
    await kinesis.create_stream(StreamName="s", ShardCount=shards)
    return kinesis


async def test_a_split_parent_ends_with_its_children() -> None:
    kinesis = await _stream()
    await kinesis.put_record(StreamName="s", Data=b"before", PartitionKey="a")
    await kinesis.split_shard(
        StreamName="s", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127)
    )
    put = await kinesis.put_record(StreamName="s", Data=b"after", PartitionKey="a")
    iterator = (
        await kinesis.get_shard_iterator(
            StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
        )
    )["ShardIterator"]
    reply = await kinesis.get_records(ShardIterator=iterator)
    assert [r["Data"] for r in reply["Records"]] == [b"before"]
    assert reply["NextShardIterator"] is None
    children = [c["ShardId"] for c in reply["ChildShards"]]
    assert put["ShardId"] in children
    assert len(children) == 2
    shards = {s["ShardId"]: s for s in (await kinesis.list_shards(StreamName="s"))["Shards"]}
    assert "EndingSequenceNumber" in shards["shardId-000000000000"]["SequenceNumberRange"]
    assert shards[put["ShardId"]]["ParentShardId"] == "shardId-000000000000"


async def test_a_merge_has_two_parents() -> None:
    kinesis = await _stream(2)
    await kinesis.merge_shards(
        StreamName="s",
        ShardToMerge="shardId-000000000000",
        AdjacentShardToMerge="shardId-000000000001",
    )
    shards = (await kinesis.list_shards(StreamName="s"))["Shards"]
    child = shards[-1]
    assert (child["ParentShardId"], child["AdjacentParentShardId"]) == (
        "shardId-000000000000",
        "shardId-000000000001",
    )
    summary = await kinesis.describe_stream_summary(StreamName="s")
    assert summary["StreamDescriptionSummary"]["OpenShardCount"] == 1


async def test_throttling_and_expired_iterators_raise_like_kinesis() -> None:
    kinesis = await _stream()
    iterator = (
        await kinesis.get_shard_iterator(
            StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="LATEST"
        )
    )["ShardIterator"]
    kinesis.throttle_next(1)
    with pytest.raises(ClientError) as throttled:
        await kinesis.get_records(ShardIterator=iterator)
    assert throttled.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    kinesis.expire_iterators()
    with pytest.raises(ClientError) as expired:
        await kinesis.get_records(ShardIterator=iterator)
    assert expired.value.response["Error"]["Code"] == "ExpiredIteratorException"


async def test_more_than_five_reads_a_second_are_throttled() -> None:
    kinesis = FakeKinesis(enforce_read_limit=True)
    await kinesis.create_stream(StreamName="s", ShardCount=1)
    iterator = (
        await kinesis.get_shard_iterator(
            StreamName="s", ShardId="shardId-000000000000", ShardIteratorType="LATEST"
        )
    )["ShardIterator"]
    for _ in range(5):
        iterator = (await kinesis.get_records(ShardIterator=iterator))["NextShardIterator"]
    with pytest.raises(ClientError):
        await kinesis.get_records(ShardIterator=iterator)
