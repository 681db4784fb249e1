"""SNS and SQS adapters: the alerts topic (the admin's email) and the notifier's DLQ."""

from __future__ import annotations

import json
from typing import Any

from cardwatch_notifier.alert_email import Email


class AlertPublisher:
    """Publishes an email to the alerts topic."""

    def __init__(self, sns: Any, topic_arn: str) -> None:
        self._sns, self._topic = sns, topic_arn

    def publish(self, email: Email) -> str:
        """Send; returns the SNS message id."""
        reply = self._sns.publish(TopicArn=self._topic, Subject=email.subject, Message=email.body)
        return str(reply["MessageId"])


class DeadLetters:
    """Sends what needs a human to the notifier's DLQ, always with the reason."""

    def __init__(self, sqs: Any, queue_url: str) -> None:
        self._sqs, self._url = sqs, queue_url

    def send(self, reason: str, detail: dict[str, Any]) -> None:
        """One message: the reason and what it concerns (never a card number)."""
        body = json.dumps({"reason": reason, **detail}, default=str)
        self._sqs.send_message(QueueUrl=self._url, MessageBody=body)
