"""The local mailbox: alert emails (the alerts topic's messages) written as .eml files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def to_eml(message: dict[str, Any], recipients: tuple[str, ...]) -> str:
    """An SNS notification (as delivered to SQS) as a plain-text email."""
    headers = [
        f"To: {', '.join(recipients)}",
        f"Subject: {message.get('Subject') or ''}",
        "Content-Type: text/plain; charset=utf-8",
    ]
    return "\n".join(headers) + "\n\n" + str(message["Message"])


def collect(sqs: Any, queue_url: str, folder: Path, recipients: tuple[str, ...]) -> list[str]:
    """Move every waiting message of the mailbox queue into `folder`; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    while True:
        reply = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        messages = reply.get("Messages", [])
        if not messages:
            return written
        for message in messages:
            body = json.loads(message["Body"])
            path = folder / f"{body['MessageId']}.eml"
            path.write_text(to_eml(body, recipients), encoding="utf-8")
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            written.append(path.name)
