"""AWS's JSON, written and read by the services themselves for the calls on their hot paths.

botocore walks its service model for every value it sends or receives. Writing one verdict's item
in a TransactWriteItems cost 86 µs of CPU, reading one terminal's 37 days from a BatchGetItem
reply 72 µs, putting one record on Kinesis 9 µs: more than the scorer's whole compute path per
record, and as much as ingest's own work per row. The values these calls carry are in AWS's
shape already (DynamoDB attribute values, Kinesis records), so for them a client made here writes
the request body itself (the json module's C encoder) and reads a successful reply with
pydantic-core. It does so through the client's public event hooks, so botocore keeps the
endpoint, signing, retries, error replies and every other hook (those that read a call's
parameters still see them).

Replies come back in the service's own JSON: a binary value is base64 text, a number a string.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from botocore.config import Config
from pydantic_core import from_json

from cardwatch_shared.aws_clients import new_client
from cardwatch_shared.settings import CardwatchSettings

_BODY = "cardwatch_wire_body"  # where a call's own body waits, in botocore's request context


def _base64(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not an AWS value")


def request_body(params: dict[str, Any]) -> bytes:
    """The JSON body AWS receives for `params` (binary values as base64, as botocore sends
    them)."""
    return json.dumps(params, default=_base64, separators=(",", ":")).encode()


def _tables_of_reads(params: dict[str, Any]) -> dict[str, Any]:
    return {"RequestItems": {table: {"Keys": []} for table in params["RequestItems"]}}


def _tables_of_actions(params: dict[str, Any]) -> dict[str, Any]:
    named = {(kind, body["TableName"]) for action in params["TransactItems"]
             for kind, body in action.items()}  # fmt: skip
    return {"TransactItems": [{kind: {"TableName": table}} for kind, table in sorted(named)]}


def _named(*members: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda params: {name: params[name] for name in members if name in params}


# Per service and call: what botocore's endpoint rules read of the call (the resources it names),
# all it is left to walk. A table or stream named by ARN routes to its account's endpoint.
WIRE_CALLS: dict[str, dict[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "dynamodb": {
        "BatchGetItem": _tables_of_reads,
        "TransactWriteItems": _tables_of_actions,
        "PutItem": _named("TableName"),
    },
    "kinesis": {"PutRecords": _named("StreamName", "StreamARN")},
}


def _take_params(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    """Last of the parameter hooks: keep the body, leave botocore only the resources named."""
    context[_BODY] = request_body(params)
    named = WIRE_CALLS[model.service_model.service_name][model.name](params)
    params.clear()
    params.update(named)


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
    if body:  # values unique per reply (sequence numbers, ids) stay out of pydantic's cache
        customized_response_dict.update(from_json(body, cache_strings="keys"))
    response_dict["body"] = b"{}"


def speak_wire(client: Any) -> Any:
    """`client` writes and reads the bodies of its service's `WIRE_CALLS` itself. It must be made
    without parameter validation (`wire_client`): AWS validates, and botocore's walk is what this
    saves; with validation on, botocore refuses the emptied parameters of the first call."""
    service = client.meta.service_model.service_name
    service_id = client.meta.service_model.service_id.hyphenize()
    events = client.meta.events
    for call in WIRE_CALLS[service]:
        events.register_last(f"before-parameter-build.{service_id}.{call}", _take_params)
        events.register(f"before-call.{service_id}.{call}", _put_body)
        events.register(f"before-parse.{service_id}.{call}", _read_reply)
    return client


def wire_client(service: str, settings: CardwatchSettings) -> Any:
    """A client of its own for `service` (a key of `WIRE_CALLS`) that speaks the wire for its
    hot calls."""
    return speak_wire(new_client(service, settings, Config(parameter_validation=False)))
