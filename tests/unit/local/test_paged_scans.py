"""The emulator's paged Scan gives moto's own pages: the same items in the same order, the same
counts and last keys, for hash-only and hash-and-range tables, any page size, with or without a
filter, and with an item written between two pages."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.dynamodb.models.table import Table

from cardwatch_local.moto_fixes import ORIGINAL_TABLE_SCAN, paged_scans

pytestmark = pytest.mark.unit


def _table(client: Any, key_types: tuple[str, ...]) -> None:
    names = ("pk", "sk")[: len(key_types)]
    client.create_table(
        TableName="t",
        KeySchema=[
            {"AttributeName": n, "KeyType": kind}
            for n, kind in zip(names, ("HASH", "RANGE"), strict=False)
        ],
        AttributeDefinitions=[
            {"AttributeName": n, "AttributeType": t} for n, t in zip(names, key_types, strict=True)
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def _pages(
    client: Any, late: dict[str, Any] | None, **kwargs: Any
) -> list[tuple[list[Any], int, Any]]:
    """Every page; `late`, if given, is written after the first page (and absent before)."""
    pages: list[tuple[list[Any], int, Any]] = []
    if late is not None:
        key = {name: late[name] for name in ("pk", "sk") if name in late}
        client.delete_item(TableName="t", Key=key)
    while len(pages) < 100:  # a scan that stops advancing fails rather than hangs
        if late is not None and len(pages) == 1:
            client.put_item(TableName="t", Item=late)
        reply = client.scan(**kwargs)
        pages.append((reply["Items"], reply["ScannedCount"], reply.get("LastEvaluatedKey")))
        if "LastEvaluatedKey" not in reply:
            return pages
        kwargs["ExclusiveStartKey"] = reply["LastEvaluatedKey"]
    raise AssertionError("the scan did not end in 100 pages")


def _both(client: Any, late: dict[str, Any] | None, **kwargs: Any) -> tuple[Any, Any]:
    ours = _pages(client, late, **kwargs)
    patched = Table.scan
    Table.scan = ORIGINAL_TABLE_SCAN[0]  # type: ignore[method-assign]
    try:
        theirs = _pages(client, late, **kwargs)
    finally:
        Table.scan = patched  # type: ignore[method-assign]
    return ours, theirs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(st.integers(-20, 20), st.integers(0, 5), st.integers(0, 9)), max_size=40
    ),
    numeric=st.booleans(),
    ranged=st.booleans(),
    limit=st.one_of(st.none(), st.integers(1, 7)),
    filtered=st.booleans(),
    late=st.one_of(st.none(), st.integers(-25, 25)),
)
def test_pages_match_moto(
    *,
    rows: list[tuple[int, int, int]],
    numeric: bool,
    ranged: bool,
    limit: int | None,
    filtered: bool,
    late: int | None,
) -> None:
    paged_scans()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        key_types = ("N" if numeric else "S", "N")[: 2 if ranged else 1]
        _table(client, key_types)
        for hash_value, range_value, size in rows:
            item = {"pk": {key_types[0]: str(hash_value)}, "v": {"N": str(size)}}
            if ranged:
                item["sk"] = {"N": str(range_value)}
            client.put_item(TableName="t", Item=item)
        kwargs: dict[str, Any] = {"TableName": "t"} | ({"Limit": limit} if limit else {})
        if filtered:
            kwargs |= {
                "FilterExpression": "v > :n",
                "ExpressionAttributeValues": {":n": {"N": "4"}},
            }
        written = None
        if late is not None:  # an item put between the first and second pages
            written = {"pk": {key_types[0]: str(late)}, "v": {"N": "9"}}
            written |= {"sk": {"N": "0"}} if ranged else {}
        ours, theirs = _both(client, written, **kwargs)
        assert ours == theirs
