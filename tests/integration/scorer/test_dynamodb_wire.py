"""The scorer's own DynamoDB JSON against moto: what it writes, botocore reads back the same; what
it reads is what botocore reads (binary as base64 text); errors, retries and other parties' hooks
behave as with a plain client."""

from __future__ import annotations

import base64
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError

from cardwatch_scorer.dynamodb_wire import speak_wire, wire_client
from cardwatch_shared.attribute_values import attribute_map
from cardwatch_shared.aws_clients import client, client_config
from cardwatch_shared.settings import CardwatchSettings
from cardwatch_shared.verdict_item import to_item
from tests.integration.scorer.conftest import STATE, VERDICTS, ScorerStack
from tests.support.aws_faults import ThrottledSends
from tests.support.verdicts import sample_verdict

pytestmark = pytest.mark.integration

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


def test_what_the_wire_writes_botocore_reads_back(scorer_stack: ScorerStack) -> None:
    wire = wire_client(CardwatchSettings())
    wire.put_item(TableName=STATE, Item=CARD, ConditionExpression="attribute_not_exists(pk)")
    put = _verdict_put(1, merchant_name="Café Zoë 東京")
    assert (
        wire.transact_write_items(TransactItems=[put])["ResponseMetadata"]["HTTPStatusCode"] == 200
    )
    assert _stored(STATE, {"pk": CARD["pk"]}) == CARD
    key = {"transaction_id": put["Put"]["Item"]["transaction_id"]}
    assert _stored(VERDICTS, key) == put["Put"]["Item"]


def test_the_wire_reads_what_botocore_reads(scorer_stack: ScorerStack) -> None:
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
    by_wire = wire_client(CardwatchSettings()).batch_get_item(RequestItems=request)
    by_botocore = plain.batch_get_item(RequestItems=request)
    assert by_wire["UnprocessedKeys"] == by_botocore["UnprocessedKeys"] == {}
    [card] = by_wire["Responses"][STATE]
    assert card["absorbed"] == {"B": base64.b64encode(PACKED).decode()}
    assert {**card, "absorbed": {"B": PACKED}} == CARD
    key = "transaction_id"
    assert sorted(by_wire["Responses"][VERDICTS], key=lambda i: i[key]["S"]) == sorted(
        by_botocore["Responses"][VERDICTS], key=lambda i: i[key]["S"]
    )


def test_errors_are_raised_as_botocore_raises_them(scorer_stack: ScorerStack) -> None:
    wire = wire_client(CardwatchSettings())
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


def test_a_throttled_call_is_retried_with_its_own_body(scorer_stack: ScorerStack) -> None:
    wire = wire_client(CardwatchSettings())
    throttled = ThrottledSends(wire, "TransactWriteItems", times=2)
    put = _verdict_put(5)
    wire.transact_write_items(TransactItems=[put])
    assert len(throttled.bodies) == 3
    assert len(set(throttled.bodies)) == 1
    assert b'"tx-00005"' in throttled.bodies[0]
    assert _stored(VERDICTS, {"transaction_id": {"S": "tx-00005"}}) == put["Put"]["Item"]


def test_other_hooks_still_see_the_callers_parameters(scorer_stack: ScorerStack) -> None:
    wire = wire_client(CardwatchSettings())
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


def test_a_client_that_validates_cannot_speak_the_wire(scorer_stack: ScorerStack) -> None:
    settings = CardwatchSettings()  # a client of its own: the cached one must stay plain
    made = boto3.session.Session().client(
        "dynamodb", endpoint_url=settings.aws_endpoint_url, config=client_config(settings)
    )
    validating = speak_wire(made)
    with pytest.raises(ParamValidationError):
        validating.put_item(TableName=STATE, Item=CARD)
    assert "Item" not in client("dynamodb").get_item(TableName=STATE, Key={"pk": CARD["pk"]})
