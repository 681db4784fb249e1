"""aioboto3 clients on moto server, and a lease table there, for the consumer's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aioboto3
import pytest

from kinesis_consumer.leases import DynamoDBLeaseTable


@asynccontextmanager
async def _client(service: str, endpoint: str) -> AsyncIterator[Any]:
    async with aioboto3.Session().client(
        service, endpoint_url=endpoint, region_name="us-east-1"
    ) as client:
        yield client


@pytest.fixture
async def dynamodb(aws_endpoint: str) -> AsyncIterator[Any]:
    async with _client("dynamodb", aws_endpoint) as client:
        yield client


@pytest.fixture
async def kinesis(aws_endpoint: str) -> AsyncIterator[Any]:
    async with _client("kinesis", aws_endpoint) as client:
        yield client


@pytest.fixture
async def lease_table(dynamodb: Any) -> DynamoDBLeaseTable:
    table = DynamoDBLeaseTable(dynamodb, "leases", namespace="test-app")
    await table.create_table()
    return table
