"""Reading dead-letter queues without taking anything out of them, and saying why each message
is there (a Lambda on-failure record, an undelivered EventBridge event, a notifier reason)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from cardwatch_shared.stream_batch_id import stream_batch_id

HOLD_S = 30


def reason(body: dict[str, Any]) -> str:
    """Why a dead letter is there, whatever wrote it."""
    if body.get("responsePayload"):
        payload = body["responsePayload"]
        return f"{payload.get('errorType', '')}: {payload.get('errorMessage', '')}"
    if "requestContext" in body:
        return str(body["requestContext"].get("condition", "?"))
    return str(body.get("reason", "?"))


def batch_id(body: dict[str, Any]) -> str | None:
    """The failed Kinesis batch an on-failure record names, as the scorer's log lines name it
    (`batch_id`); None for other dead letters (a DynamoDB Streams record names no shard)."""
    info = body.get("KinesisBatchInfo")
    if not isinstance(info, dict):
        return None
    first, last = info["startSequenceNumber"], info["endSequenceNumber"]
    return stream_batch_id(str(info.get("shardId", "")), first, last)


def peek(sqs: Any, queue_url: str, limit: int = 10_000) -> list[dict[str, Any]]:
    """Up to `limit` messages of the queue; each is made visible again as soon as it was read."""
    seen: dict[str, dict[str, Any]] = {}
    while len(seen) < limit:
        reply = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=HOLD_S
        )
        messages = [m for m in reply.get("Messages", []) if m["MessageId"] not in seen]
        if not messages:
            break
        for message in messages:
            seen[message["MessageId"]] = message
    for message in seen.values():
        sqs.change_message_visibility(
            QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
    return list(seen.values())


def _body(message: dict[str, Any]) -> dict[str, Any]:
    try:
        body = json.loads(message["Body"])
    except json.JSONDecodeError:
        return {"reason": "not JSON"}
    return body if isinstance(body, dict) else {"reason": "not a JSON object"}


def reasons(sqs: Any, queue_urls: list[str]) -> dict[str, int]:
    """How many dead letters wait for each reason, over the given queues."""
    counts = Counter[str]()
    for url in queue_urls:
        counts.update(reason(_body(m)) for m in peek(sqs, url))
    return dict(counts.most_common())
