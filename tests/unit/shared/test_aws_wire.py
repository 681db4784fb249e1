"""The bodies the services write themselves are the bodies botocore would write for the same
calls."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.serialize import create_serializer

from cardwatch_shared.attribute_values import attribute_map
from cardwatch_shared.aws_wire import WIRE_CALLS, request_body
from cardwatch_shared.verdict_item import to_item
from tests.support.verdicts import sample_verdict

pytestmark = pytest.mark.unit

PACKED = bytes(range(256)) * 3  # every byte value, as a card's absorbed digests may hold

VERDICT = attribute_map(to_item(sample_verdict(merchant_name='Café Zoë 東京 "quoted" \\ /')))
NESTED = {
    "L": [{"S": "a"}, {"N": "-1.5e-7"}, {"BOOL": False}, {"NULL": True}, {"B": b"\x00\xff"}],
}
CALLS: dict[str, dict[str, Any]] = {
    "TransactWriteItems": {
        "TransactItems": [
            {
                "Put": {
                    "TableName": "cw-verdicts",
                    "Item": VERDICT,
                    "ConditionExpression": "attribute_not_exists(transaction_id)",
                }
            },
            {
                "Update": {
                    "TableName": "cw-state",
                    "Key": {"pk": {"S": "terminal#T-1"}},
                    "UpdateExpression": "ADD #n20400 :n20400 REMOVE #s0",
                    "ExpressionAttributeNames": {"#n20400": "n_20400", "#s0": "n_20360"},
                    "ExpressionAttributeValues": {":n20400": {"N": "3"}},
                }
            },
        ]
    },
    "PutItem": {
        "TableName": "cw-state",
        "Item": {
            "pk": {"S": "card#" + "ab" * 32},
            "state": {"S": '{"days":{"20400":[3.0,90.5]},"last":1762600000}'},
            "absorbed": {"B": PACKED},
            "version": {"N": "8"},
            "nested": {"M": {"list": NESTED, "set": {"SS": ["x", "y"]}}},
        },
        "ConditionExpression": "version = :v",
        "ExpressionAttributeValues": {":v": {"N": "7"}},
    },
    "BatchGetItem": {
        "RequestItems": {
            "cw-verdicts": {
                "Keys": [{"transaction_id": {"S": "tx-1"}}, {"transaction_id": {"S": "tx-2"}}],
                "ConsistentRead": True,
                "ProjectionExpression": "transaction_id",
            },
            "cw-state": {"Keys": [{"pk": {"S": "terminal#T-1"}}], "ConsistentRead": True},
        }
    },
}


CALLS["PutRecords"] = {
    "StreamName": "cw-transactions",
    "Records": [
        {"Data": PACKED, "PartitionKey": "ab" * 32},
        {"Data": '{"amount":"12.50","merchant":"Café"}'.encode(), "PartitionKey": "cd" * 32},
    ],
}


def test_every_wire_call_has_a_sample() -> None:
    assert {call for calls in WIRE_CALLS.values() for call in calls} == set(CALLS)


@pytest.mark.parametrize("operation", sorted(CALLS))
def test_the_body_is_the_one_botocore_writes(operation: str) -> None:
    service = next(service for service, calls in WIRE_CALLS.items() if operation in calls)
    model = boto3.client(service, region_name="us-east-1").meta.service_model
    botocore_request = create_serializer("json").serialize_to_request(
        CALLS[operation], model.operation_model(operation)
    )
    assert json.loads(request_body(CALLS[operation])) == json.loads(botocore_request["body"])


def test_a_value_dynamodb_has_no_type_for_is_refused() -> None:
    with pytest.raises(TypeError, match="set is not an AWS value"):
        request_body({"Item": {"x": {"SS": {"a"}}}})
