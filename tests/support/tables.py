"""DynamoDB tables for tests, defined by the core template itself (keys and indexes), so a
test's table is the deployed one."""

from __future__ import annotations

from functools import cache
from typing import Any

from cardwatch_local.templates import translated

SHAPE = ("KeySchema", "AttributeDefinitions", "GlobalSecondaryIndexes", "StreamSpecification")


@cache
def _core_tables() -> dict[str, dict[str, Any]]:
    resources = translated("core")["Resources"]
    return {
        logical: resource["Properties"]
        for logical, resource in resources.items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


def create_table(dynamodb: Any, logical_id: str, name: str) -> dict[str, Any]:
    """Create the core template's `logical_id` table (keys, indexes, stream) as `name`."""
    props = _core_tables()[logical_id]
    shape = {key: props[key] for key in SHAPE if key in props}
    if "StreamSpecification" in shape:
        shape["StreamSpecification"] = {"StreamEnabled": True} | shape["StreamSpecification"]
    reply: dict[str, Any] = dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST", **shape
    )
    return reply
