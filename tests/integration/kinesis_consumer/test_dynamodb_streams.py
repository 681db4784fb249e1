"""DynamoDB Streams on moto: a reader resumes after its checkpoint (the service names the
iterator's sequence argument differently from Kinesis)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aioboto3
import pytest

from kinesis_consumer.streams import DynamoDBStreamSource, Position

pytestmark = pytest.mark.integration


@pytest.fixture
async def streams(aws_endpoint: str) -> AsyncIterator[Any]:
    async with aioboto3.Session().client(
        "dynamodbstreams", endpoint_url=aws_endpoint, region_name="us-east-1"
    ) as client:
        yield client


async def test_reading_resumes_after_a_checkpoint(dynamodb: Any, streams: Any) -> None:
    arn = (
        await dynamodb.create_table(
            TableName="streamed",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )
    )["TableDescription"]["LatestStreamArn"]
    for n in range(5):
        await dynamodb.put_item(TableName="streamed", Item={"id": {"S": f"item-{n}"}})
    source = DynamoDBStreamSource(streams, arn)
    (shard,) = await source.shards()
    first = await source.read(await source.iterator(shard.shard_id, Position()), 100)
    assert len(first.records) == 5
    checkpoint = source.sequence(first.records[1])
    rest = await source.read(await source.iterator(shard.shard_id, Position.after(checkpoint)), 100)
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in rest.records] == [
        "item-2",
        "item-3",
        "item-4",
    ]
