"""Redrive of the dead-letter queues: each message goes back where it failed, and leaves the queue
only once that worked.

- ingest failures (Lambda on-failure records): the original S3 event goes back to the upload
  rule's queue, so ingest runs again (idempotent per object version);
- undelivered EventBridge events: S3 events go back to the upload rule's queue;
- scorer batches (the ESM's on-failure record holds batch info, not records): the records are
  re-read from Kinesis by shard and sequence range and handed to the scorer; the message stays if
  any record fails again.
- notifier alerts in doubt (claimed, never confirmed: the email may or may not have gone): the
  person who redrives decides to send it again; the claim is cleared and the verdict handed to
  the notifier as its stream would. An alert that is no longer in doubt leaves the queue as is.
Other messages (a verdict that breaks the contract) stay, with the reason."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cardwatch_local.runtime import Handler, load_handler
from cardwatch_local.stack import LocalStack
from cardwatch_shared.alert_status import UNKNOWN
from kinesis_consumer.esm import LambdaContext
from kinesis_consumer.streams import KinesisSource


@dataclass
class RedriveResult:
    """What happened to the queue's messages."""

    redriven: int = 0
    kept: list[str] = field(default_factory=list)


def _upload_queue(stack: LocalStack) -> str:
    for trigger in stack.async_triggers:
        if trigger.queue_url:
            return trigger.queue_url
    raise LookupError("the stack has no rule with a queue")


def _batch_records(kinesis: Any, info: dict[str, Any], region: str) -> list[dict[str, Any]]:
    """The batch's records, re-read from the stream by shard and sequence range."""
    stream = info["streamArn"].rsplit("/", 1)[1]
    iterator = kinesis.get_shard_iterator(
        StreamName=stream,
        ShardId=info["shardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=info["startSequenceNumber"],
    )["ShardIterator"]
    end = int(info["endSequenceNumber"])
    shape = KinesisSource(kinesis, stream, region)
    records: list[dict[str, Any]] = []
    while iterator:
        reply = kinesis.get_records(ShardIterator=iterator, Limit=1000)
        for raw in reply["Records"]:
            if int(raw["SequenceNumber"]) > end:
                return records
            records.append(shape.lambda_record(raw, info["shardId"], info["streamArn"]))
        if not reply["Records"]:
            return records
        iterator = reply.get("NextShardIterator")
    return records


@dataclass
class Redriver:
    """Sends dead letters back; `scorer` is the scorer's handler (loaded on first need)."""

    stack: LocalStack
    clients: dict[str, Any]
    region: str = "us-east-1"
    scorer: Handler | None = None
    notifier: Handler | None = None

    def _scorer(self) -> Handler:
        if self.scorer is None:
            path = next(t.handler for t in self.stack.stream_triggers if t.kind == "kinesis")
            self.scorer = load_handler(path)
        return self.scorer

    def _notifier(self) -> Handler:
        if self.notifier is None:
            path = next(t.handler for t in self.stack.stream_triggers if t.kind != "kinesis")
            self.notifier = load_handler(path)
        return self.notifier

    def one(self, body: dict[str, Any]) -> str | None:
        """Redrive one message; None when done, else why it stays."""
        if "KinesisBatchInfo" in body:
            return self._rescore(body["KinesisBatchInfo"])
        if "requestPayload" in body:
            return self._requeue(body["requestPayload"])
        if body.get("source") == "aws.s3":
            return self._requeue(body)
        if "transaction_id" in body and str(body.get("reason", "")).startswith("alert claimed"):
            return self._realert(str(body["transaction_id"]))
        return f"not redrivable here: {body.get('reason', 'unknown message')}"

    def _realert(self, transaction_id: str) -> str | None:
        """Clear an alert left in doubt and hand its verdict to the notifier again."""
        db, table = self.clients["dynamodb"], self.stack.verdicts_table
        key = {"transaction_id": {"S": transaction_id}}
        try:
            item = db.update_item(
                TableName=table,
                Key=key,
                UpdateExpression="REMOVE alert_status, alert_claimed_at",
                ConditionExpression="alert_status = :doubt",
                ExpressionAttributeValues={":doubt": {"S": UNKNOWN}},
                ReturnValues="ALL_NEW",
            )["Attributes"]
        except db.exceptions.ConditionalCheckFailedException:
            return None  # settled since (sent, or cleared by someone else): nothing to resend
        record = {
            "eventID": uuid.uuid4().hex,
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "awsRegion": self.region,
            "dynamodb": {"Keys": key, "NewImage": item, "StreamViewType": "NEW_IMAGE"},
        }
        reply = self._notifier()({"Records": [record]}, LambdaContext("redrive", timeout_s=60))
        if (reply or {}).get("batchItemFailures"):
            return f"the alert of {transaction_id} failed again"
        return None

    def _requeue(self, event: dict[str, Any]) -> str | None:
        self.clients["sqs"].send_message(
            QueueUrl=_upload_queue(self.stack), MessageBody=json.dumps(event)
        )
        return None

    def _rescore(self, info: dict[str, Any]) -> str | None:
        records = _batch_records(self.clients["kinesis"], info, self.region)
        if not records:
            return "the batch's records are no longer in the stream (retention)"
        reply = self._scorer()({"Records": records}, LambdaContext("redrive", timeout_s=900))
        failures = (reply or {}).get("batchItemFailures", [])
        if failures:
            return f"{len(failures)} of {len(records)} records failed again"
        return None


def redrive(
    sqs: Any, queue_url: str, one: Callable[[dict[str, Any]], str | None], limit: int = 1000
) -> RedriveResult:
    """Each message of the queue through `one`; deleted when it returns None."""
    result, seen = RedriveResult(), 0
    while seen < limit:
        reply = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60
        )
        messages = reply.get("Messages", [])
        if not messages:
            return result
        for message in messages:
            seen += 1
            why = one(json.loads(message["Body"]))
            if why is None:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                result.redriven += 1
            else:
                result.kept.append(why)
    return result
