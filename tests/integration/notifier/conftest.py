"""A moto stack for the notifier: verdicts table with its stream, alerts table, SNS topic with an
SQS subscription standing in for the admin's mailbox, and the notifier's DLQ."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from cardwatch_notifier import handler
from cardwatch_shared.aws_clients import client, resource
from cardwatch_shared.contracts import Verdict
from cardwatch_shared.verdict_item import to_item
from kinesis_consumer.esm import LambdaContext
from tests.support.streams import StreamTap

VERDICTS, ALERTS = "cardwatch-verdicts-test", "cardwatch-alerts-test"


@dataclass
class NotifierStack:
    """Handles on the moto resources and the handler under test."""

    tap: StreamTap
    sqs: Any
    mailbox_url: str
    dlq_url: str
    topic_arn: str

    def put_verdicts(self, verdicts: list[Verdict]) -> dict[str, Any]:
        """Store the verdicts as the scorer would; the stream event they produce."""
        table = resource("dynamodb").Table(VERDICTS)
        for verdict in verdicts:
            table.put_item(Item=to_item(verdict))
        return self.tap.next_event()

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = handler.lambda_handler(event, LambdaContext("notifier"))
        return response

    def _drain(self, url: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while True:
            reply = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
            batch = reply.get("Messages", [])
            if not batch:
                return messages
            for message in batch:
                messages.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def emails(self) -> list[dict[str, str]]:
        """Every email delivered since the last call: {subject, body}."""
        return [{"subject": m.get("Subject", ""), "body": m["Message"]}
                for m in self._drain(self.mailbox_url)]  # fmt: skip

    def dead_letters(self) -> list[dict[str, Any]]:
        return self._drain(self.dlq_url)

    def verdict_item(self, transaction_id: str) -> dict[str, Any]:
        table = resource("dynamodb").Table(VERDICTS)
        item: dict[str, Any] = table.get_item(Key={"transaction_id": transaction_id})["Item"]
        return item

    def set_clock(self, moment: datetime) -> None:
        handler.notifier().now = lambda: moment


@pytest.fixture
def notifier_stack(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[NotifierStack]:
    dynamodb, sns, sqs = client("dynamodb"), client("sns"), client("sqs")
    stream_arn = dynamodb.create_table(
        TableName=VERDICTS,
        KeySchema=[{"AttributeName": "transaction_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "transaction_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    dynamodb.create_table(
        TableName=ALERTS,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )  # fmt: skip
    topic_arn = sns.create_topic(Name="cardwatch-alerts-test")["TopicArn"]
    mailbox_url = sqs.create_queue(QueueName="mailbox")["QueueUrl"]
    mailbox_arn = sqs.get_queue_attributes(QueueUrl=mailbox_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=mailbox_arn)
    dlq_url = sqs.create_queue(QueueName="notifier-dlq")["QueueUrl"]
    for name, value in {
        "CARDWATCH_VERDICTS_TABLE": VERDICTS,
        "CARDWATCH_ALERTS_TABLE": ALERTS,
        "CARDWATCH_ALERTS_TOPIC_ARN": topic_arn,
        "CARDWATCH_NOTIFIER_DLQ_URL": dlq_url,
        "CARDWATCH_STORM_THRESHOLD": "3",
        "CARDWATCH_ADMIN_TIMEZONE": "Europe/Paris",
    }.items():
        monkeypatch.setenv(name, value)
    handler.notifier.cache_clear()
    streams = client("dynamodbstreams")
    yield NotifierStack(StreamTap(streams, stream_arn), sqs, mailbox_url, dlq_url, topic_arn)
    handler.notifier.cache_clear()
