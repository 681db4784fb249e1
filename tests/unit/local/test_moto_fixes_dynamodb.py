"""The emulator's DynamoDB fixes. Its item-level TransactWriteItems ends where moto's own does:
the same error (or none) and the same items in every table, for random transactions that
succeed, fail a condition, or name an item twice; and it copies no table. Its item count holds
while other threads write the table."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table

from cardwatch_local.moto_fixes import (
    ORIGINAL_TRANSACT_WRITE,
    item_level_transactions,
    stable_item_counts,
)
from tests.support.concurrent_writes import reads_while_writing

pytestmark = pytest.mark.unit
KEYS = ("a", "b", "c")


def _create(client: Any) -> None:
    for name, ranged in (("h", False), ("r", True)):
        schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
        attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
        if ranged:
            schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
            attrs.append({"AttributeName": "sk", "AttributeType": "N"})
        client.create_table(
            TableName=name,
            KeySchema=schema,
            AttributeDefinitions=attrs,
            BillingMode="PAY_PER_REQUEST",
        )


def _key(table: str, pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}} | ({"sk": {"N": "1"}} if table == "r" else {})


def _op(table: str, pk: str, kind: str, value: int, guarded: bool) -> dict[str, Any]:
    key = _key(table, pk)
    number = {":v": {"N": str(value)}}
    if kind == "Put":
        put = {"TableName": table, "Item": key | {"n": {"N": str(value)}}}
        fresh = {"ConditionExpression": "attribute_not_exists(pk)"}
        return {"Put": put | (fresh if guarded else {})}
    if kind == "Update":
        update = {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "ADD n :v",
            "ExpressionAttributeValues": number,
        }
        return {"Update": update | ({"ConditionExpression": "n < :v"} if guarded else {})}
    if kind == "Delete":
        delete = {"TableName": table, "Key": key}
        present = {"ConditionExpression": "attribute_exists(n)"}
        return {"Delete": delete | (present if guarded else {})}
    check = {
        "TableName": table,
        "Key": key,
        "ConditionExpression": "n = :v",
        "ExpressionAttributeValues": number,
    }
    return {"ConditionCheck": check}


ops = st.tuples(
    st.sampled_from(("h", "r")),
    st.sampled_from(KEYS),
    st.sampled_from(("Put", "Update", "Delete", "ConditionCheck")),
    st.integers(0, 3),
    st.booleans(),
)


@contextmanager
def _moto_own() -> Iterator[None]:
    ours = DynamoDBBackend.transact_write_items
    DynamoDBBackend.transact_write_items = ORIGINAL_TRANSACT_WRITE[0]  # type: ignore[method-assign]
    table_copy = Table.__dict__["__deepcopy__"]
    del Table.__deepcopy__  # type: ignore[attr-defined]
    try:
        yield
    finally:
        DynamoDBBackend.transact_write_items = ours  # type: ignore[method-assign]
        Table.__deepcopy__ = table_copy  # type: ignore[attr-defined]


def _run(initial: list[tuple[str, str, int]], transaction: list[dict[str, Any]]) -> Any:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        _create(client)
        for table, pk, value in initial:
            client.put_item(TableName=table, Item=_key(table, pk) | {"n": {"N": str(value)}})
        try:
            client.transact_write_items(TransactItems=transaction)
            error = None
        except ClientError as exc:
            error = (exc.response["Error"]["Code"], exc.response.get("CancellationReasons"))
        tables = {
            name: sorted(str(item) for item in client.scan(TableName=name)["Items"])
            for name in ("h", "r")
        }
        return error, tables


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    initial=st.lists(
        st.tuples(st.sampled_from(("h", "r")), st.sampled_from(KEYS), st.integers(0, 3)),
        max_size=6,
    ),
    transaction=st.lists(ops, min_size=1, max_size=4),
)
def test_outcomes_match_moto(
    initial: list[tuple[str, str, int]], transaction: list[tuple[str, str, str, int, bool]]
) -> None:
    item_level_transactions()
    items = [_op(*op) for op in transaction]
    ours = _run(initial, items)
    with _moto_own():
        theirs = _run(initial, items)
    assert ours == theirs


def test_no_table_is_copied(monkeypatch: pytest.MonkeyPatch) -> None:
    item_level_transactions()
    copied: list[tuple[str, bool]] = []
    real = copy.deepcopy

    def spy(value: Any, memo: Any = None) -> Any:
        result = real(value, memo)
        if isinstance(value, Table):
            copied.append((value.name, result is value))
        return result

    monkeypatch.setattr("moto.dynamodb.models.copy.deepcopy", spy)
    error, tables = _run([("h", "a", 1)], [_op("h", "a", "Update", 1, guarded=True)])
    assert error is not None  # the condition n < 1 fails: rolled back
    assert tables["h"] == [str({"pk": {"S": "a"}, "n": {"N": "1"}})]
    assert copied == [("h", True)]  # moto asks for its copy and gets the live table back


def test_item_counts_hold_while_a_table_is_written() -> None:
    stable_item_counts()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        _create(client)
        table = dynamodb_backends["123456789012"]["eu-west-1"].tables["h"]
        for n in range(20_000):
            table.items[DynamoType({"S": f"kept{n}"})] = {}
        written = itertools.count()

        def write_once() -> None:
            n = next(written)
            table.items[DynamoType({"S": f"x{n}"})] = {}
            table.items.pop(DynamoType({"S": f"x{n - 3}"}), None)

        counts = reads_while_writing(write_once, lambda: len(table), 200)
        assert all(20_000 <= n <= 20_004 for n in counts)
        for pk, sk in (("a", "1"), ("a", "2"), ("b", "1")):
            client.put_item(TableName="r", Item={"pk": {"S": pk}, "sk": {"N": sk}})
        described = client.describe_table(TableName="r")["Table"]
        assert described["ItemCount"] == 3
