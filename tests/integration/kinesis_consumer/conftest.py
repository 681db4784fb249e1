"""aioboto3 clients on moto server, and a lease table there, for the consumer's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aioboto3
import pytest

from kinesis_consumer.leases import DynamoDBLeaseTable


@pytest.fixture
async def dynamodb(aws_endpoint: str) -> AsyncIterator[Any]:
    async with aioboto3.Session().client(
        "dynamodb", endpoint_url=aws_endpoint, region_name="us-east-1"
    ) as client:
        yield client


@pytest.fixture
async def kinesis(aws_endpoint: str) -> AsyncIterator[Any]:
    async with aioboto3.Session().client(
        "kinesis", endpoint_url=aws_endpoint, region_name="us-east-1"
    ) as client:
        yield client


@pytest.fixture
async def lease_table(dynamodb: Any) -> DynamoDBLeaseTable:
    table = DynamoDBLeaseTable(dynamodb, "leases", namespace="test-app")
    await table.create_table()
    return table
