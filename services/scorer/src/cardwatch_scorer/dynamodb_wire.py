"""DynamoDB's JSON, written and read by the scorer itself for the calls on its hot path.

botocore walks its service model for every value it sends or receives. Writing one verdict's item
in a TransactWriteItems cost 114 µs of CPU (45 to validate it, 69 to serialise it); reading one
terminal's 37 days from a BatchGetItem reply cost 61 µs, and a card 23. Together that is several
times the scorer's whole compute path per record. The scorer's items are DynamoDB attribute
values already, so for these calls it writes the request body itself (the json module's C
encoder) and reads a successful reply with pydantic-core. It does so through the client's public
event hooks, so botocore keeps the endpoint, signing, retries, error replies and every other hook
(those that read a call's parameters still see them).

Replies come back in DynamoDB's own JSON: a binary value is base64 text, a number a string.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
from botocore.config import Config
from pydantic_core import from_json

from cardwatch_shared.aws_clients import client_config
from cardwatch_shared.settings import CardwatchSettings

WIRE_CALLS = ("BatchGetItem", "TransactWriteItems", "PutItem")
_BODY = "cardwatch_wire_body"  # where a call's own body waits, in botocore's request context


def _base64(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not a DynamoDB value")


def request_body(params: dict[str, Any]) -> bytes:
    """The JSON body DynamoDB receives for `params` (binary values as base64, as botocore sends
    them)."""
    return json.dumps(params, default=_base64, separators=(",", ":")).encode()


def _tables_only(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """What botocore's endpoint rules read of a call (its table names): all it has left to walk.
    Tables named by ARN route to their account's endpoint, as before."""
    if operation == "BatchGetItem":
        return {"RequestItems": {table: {"Keys": []} for table in params["RequestItems"]}}
    if operation == "TransactWriteItems":
        actions = params["TransactItems"]
        named = {(kind, body["TableName"]) for action in actions for kind, body in action.items()}
        return {"TransactItems": [{kind: {"TableName": table}} for kind, table in sorted(named)]}
    return {"TableName": params["TableName"]}


def _take_params(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    """Last of the parameter hooks: keep the body, leave botocore only the table names."""
    context[_BODY] = request_body(params)
    tables = _tables_only(model.name, params)
    params.clear()
    params.update(tables)


def _put_body(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """Before signing: the request carries the body written from the caller's parameters."""
    params["body"] = context.pop(_BODY)


def _read_reply(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    """A successful reply, read here; an error reply is left to botocore, which raises it."""
    if response_dict["status_code"] != 200:
        return
    body = response_dict["body"]
    if body:
        customized_response_dict.update(from_json(body))
    response_dict["body"] = b"{}"


def speak_wire(client: Any) -> Any:
    """`client` writes and reads the bodies of `WIRE_CALLS` itself. It must be made without
    parameter validation (`wire_client`): DynamoDB validates, and botocore's walk is what this
    saves; with validation on, botocore refuses the emptied parameters of the first call."""
    events = client.meta.events
    for call in WIRE_CALLS:
        events.register_last(f"before-parameter-build.dynamodb.{call}", _take_params)
        events.register(f"before-call.dynamodb.{call}", _put_body)
        events.register(f"before-parse.dynamodb.{call}", _read_reply)
    return client


def wire_client(settings: CardwatchSettings) -> Any:
    """A DynamoDB client of its own that speaks the wire for the scorer's hot calls."""
    config = client_config(settings).merge(Config(parameter_validation=False))
    made = boto3.session.Session().client(
        "dynamodb", endpoint_url=settings.aws_endpoint_url, config=config
    )
    return speak_wire(made)
