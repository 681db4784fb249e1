"""The services' own AWS JSON against moto: what a wire client writes, botocore reads back the
same; what it reads is what botocore reads (binary as base64 text); errors, retries and other
parties' hooks behave as with a plain client."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from cardwatch_shared.attribute_values import attribute_map
from cardwatch_shared.aws_clients import client, new_client
from cardwatch_shared.aws_wire import speak_wire, wire_client
from cardwatch_shared.settings import CardwatchSettings
from cardwatch_shared.verdict_item import to_item
from tests.support.aws_faults import ThrottledSends
from tests.support.tables import create_table
from tests.support.verdicts import sample_verdict

pytestmark = pytest.mark.integration

VERDICTS, STATE, STREAM = "wire-verdicts", "wire-state", "wire-stream"


@pytest.fixture
def tables(aws_endpoint: str) -> None:
    create_table(client("dynamodb"), "VerdictsTable", VERDICTS)
    create_table(client("dynamodb"), "StateTable", STATE)


def _dynamodb() -> Any:
    return wire_client("dynamodb", CardwatchSettings())


PACKED = bytes(range(256)) * 2
CARD = {
    "pk": {"S": "card#" + "cd" * 32},
    "state": {"S": '{"days":{"20400":[3.0,90.5]},"last":1762600000}'},
    "absorbed": {"B": PACKED},
    "version": {"N": "1"},
}


def _verdict_put(index: int, **changes: Any) -> dict[str, Any]:
    item = attribute_map(to_item(sample_verdict(index, **changes)))
    return {
        "Put": {
            "TableName": VERDICTS,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(transaction_id)",
        }
    }


def _stored(table: str, key: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = client("dynamodb").get_item(
        TableName=table, Key=key, ConsistentRead=True
    )["Item"]
    return item


def test_what_the_wire_writes_botocore_reads_back(tables: None) -> None:
    wire = _dynamodb()
    wire.put_item(TableName=STATE, Item=CARD, ConditionExpression="attribute_not_exists(pk)")
    put = _verdict_put(1, merchant_name="Café Zoë 東京")
    assert (
        wire.transact_write_items(TransactItems=[put])["ResponseMetadata"]["HTTPStatusCode"] == 200
    )
    assert _stored(STATE, {"pk": CARD["pk"]}) == CARD
    key = {"transaction_id": put["Put"]["Item"]["transaction_id"]}
    assert _stored(VERDICTS, key) == put["Put"]["Item"]


def test_the_wire_reads_what_botocore_reads(tables: None) -> None:
    plain = client("dynamodb")
    plain.put_item(TableName=STATE, Item=CARD)
    plain.transact_write_items(TransactItems=[_verdict_put(i) for i in range(3)])
    request = {
        STATE: {"Keys": [{"pk": CARD["pk"]}, {"pk": {"S": "card#none"}}], "ConsistentRead": True},
        VERDICTS: {
            "Keys": [{"transaction_id": {"S": f"tx-{i:05d}"}} for i in range(4)],
            "ProjectionExpression": "transaction_id, score",
        },
    }
    by_wire = _dynamodb().batch_get_item(RequestItems=request)
    by_botocore = plain.batch_get_item(RequestItems=request)
    assert by_wire["UnprocessedKeys"] == by_botocore["UnprocessedKeys"] == {}
    [card] = by_wire["Responses"][STATE]
    assert card["absorbed"] == {"B": base64.b64encode(PACKED).decode()}
    assert {**card, "absorbed": {"B": PACKED}} == CARD
    key = "transaction_id"
    assert sorted(by_wire["Responses"][VERDICTS], key=lambda i: i[key]["S"]) == sorted(
        by_botocore["Responses"][VERDICTS], key=lambda i: i[key]["S"]
    )


def test_errors_are_raised_as_botocore_raises_them(tables: None) -> None:
    wire = _dynamodb()
    wire.put_item(TableName=STATE, Item=CARD)
    with pytest.raises(ClientError) as stale:
        wire.put_item(TableName=STATE, Item=CARD, ConditionExpression="version = :v",
                      ExpressionAttributeValues={":v": {"N": "9"}})  # fmt: skip
    assert stale.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    wire.transact_write_items(TransactItems=[_verdict_put(1)])
    with pytest.raises(ClientError) as cancelled:
        wire.transact_write_items(TransactItems=[_verdict_put(1), _verdict_put(2)])
    error = cancelled.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in error["CancellationReasons"]] == ["ConditionalCheckFailed", "None"]


def test_a_throttled_call_is_retried_with_its_own_body(tables: None) -> None:
    wire = _dynamodb()
    throttled = ThrottledSends(wire, "TransactWriteItems", times=2)
    put = _verdict_put(5)
    wire.transact_write_items(TransactItems=[put])
    assert len(throttled.bodies) == 3
    assert len(set(throttled.bodies)) == 1
    assert b'"tx-00005"' in throttled.bodies[0]
    assert _stored(VERDICTS, {"transaction_id": {"S": "tx-00005"}}) == put["Put"]["Item"]


def test_other_hooks_still_see_the_callers_parameters(tables: None) -> None:
    wire = _dynamodb()
    seen: list[Any] = []
    wire.meta.events.register(
        "before-parameter-build.dynamodb.TransactWriteItems",
        lambda params, **_: seen.append(len(params["TransactItems"])),
    )
    wire.meta.events.register(
        "after-call.dynamodb.TransactWriteItems",
        lambda http_response, **_: seen.append(http_response.status_code),
    )
    wire.transact_write_items(TransactItems=[_verdict_put(i) for i in range(3)])
    assert seen == [3, 200]


def test_a_client_that_validates_cannot_speak_the_wire(tables: None) -> None:
    # a client of its own: the cached one must stay plain
    validating = speak_wire(new_client("dynamodb", CardwatchSettings()))
    with pytest.raises(ParamValidationError):
        validating.put_item(TableName=STATE, Item=CARD)
    assert "Item" not in client("dynamodb").get_item(TableName=STATE, Key={"pk": CARD["pk"]})


def _stream() -> str:
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName=STREAM, ShardCount=2)
    kinesis.get_waiter("stream_exists").wait(StreamName=STREAM)
    return STREAM


def test_records_put_on_the_wire_are_read_back_whole(aws_endpoint: str) -> None:
    stream = _stream()
    records = [{"Data": bytes([i]) * 3 + PACKED, "PartitionKey": f"card-{i}"} for i in range(50)]
    reply = wire_client("kinesis", CardwatchSettings()).put_records(
        StreamName=stream, Records=records
    )
    assert reply["FailedRecordCount"] == 0
    assert len(reply["Records"]) == 50
    assert all(entry["SequenceNumber"] and entry["ShardId"] for entry in reply["Records"])
    kinesis, read = client("kinesis"), []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(
            StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        read += kinesis.get_records(ShardIterator=iterator)["Records"]
    assert sorted((r["PartitionKey"], r["Data"]) for r in read) == sorted(
        (r["PartitionKey"], r["Data"]) for r in records
    )


def test_a_put_to_a_missing_stream_raises_as_botocore_raises_it(aws_endpoint: str) -> None:
    with pytest.raises(ClientError) as missing:
        wire_client("kinesis", CardwatchSettings()).put_records(
            StreamName="no-such-stream", Records=[{"Data": b"x", "PartitionKey": "k"}]
        )
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
