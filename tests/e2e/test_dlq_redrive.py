"""Nothing lost: with no model the scorer's batches end in its DLQ; once a model is promoted,
`cardwatch dlq redrive` re-reads them from Kinesis and every accepted row gets its verdict."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cardwatch_local.cli import app
from cardwatch_local.pipeline_demo import DemoSize, scan_table, train_demo_model
from cardwatch_local.running_demo import client_environment
from cardwatch_local.serve import wait_for_state
from cardwatch_local.settings import LocalSettings
from cardwatch_local.stack import read
from tests.support.local_stack import wait_until

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _depth(clients: dict[str, Any], name: str) -> int:
    url = clients["sqs"].get_queue_url(QueueName=name)["QueueUrl"]
    attrs = clients["sqs"].get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def _alert_status(clients: dict[str, Any], stack: Any, transaction_id: str) -> str | None:
    item = clients["dynamodb"].get_item(
        TableName=stack.verdicts_table, Key={"transaction_id": {"S": transaction_id}}
    )["Item"]
    status = item.get("alert_status", {}).get("S")
    return str(status) if status else None


def _alert_in_doubt(clients: dict[str, Any], stack: Any, transaction_id: str) -> str:
    """A fraud verdict whose alert was claimed and never confirmed, and its DLQ message (what
    the notifier does when a process died between send and confirm)."""
    clients["dynamodb"].update_item(
        TableName=stack.verdicts_table,
        Key={"transaction_id": {"S": transaction_id}},
        UpdateExpression="SET is_fraud = :t, alert_status = :u, alert_claimed_at = :c",
        ExpressionAttributeValues={
            ":t": {"BOOL": True}, ":u": {"S": "unknown"}, ":c": {"S": "2026-11-20T10:00:00+00:00"}
        },
    )  # fmt: skip
    url = clients["sqs"].get_queue_url(QueueName="cardwatch-local-notifier-dlq")["QueueUrl"]
    body = {
        "reason": "alert claimed but never confirmed: it may or may not have been emailed",
        "transaction_id": transaction_id,
        "claimed_at": "2026-11-20T10:00:00+00:00",
    }
    clients["sqs"].send_message(QueueUrl=url, MessageBody=json.dumps(body))  # fmt: skip
    return transaction_id


def _show_finds_queues_by_short_name() -> None:
    """`dlq show scorer` is the scorer's queue; a name that is no queue lists the queues."""
    shown = runner.invoke(app, ["dlq", "show", "scorer"], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    assert "cardwatch-local-scorer-dlq" in shown.output
    assert "RetryAttemptsExhausted" in shown.output  # the ESM's condition: no model to score with
    unknown = runner.invoke(app, ["dlq", "show", "nope"], env={"COLUMNS": "250"})
    assert unknown.exit_code == 2
    assert "no dead-letter queue nope; the queues: cardwatch-local-event-delivery-dlq" in (
        unknown.output
    )


def test_scorer_dead_letters_come_back_as_verdicts(local_up: subprocess.Popen[str]) -> None:
    state = wait_for_state(LocalSettings(), timeout_s=240)
    assert state is not None
    with client_environment(state["endpoint"]) as clients:
        stack = read(clients)
        clients["s3"].upload_file(
            str(ROOT / "examples" / "transactions.csv"), stack.bucket, "incoming/c.csv"
        )
        assert wait_until(lambda: _depth(clients, "cardwatch-local-scorer-dlq") > 0, 120)
        assert scan_table(clients["dynamodb"], stack.verdicts_table) == []
        train_demo_model(stack, clients, DemoSize(train_cards=250, train_days=25))
    _show_finds_queues_by_short_name()
    result = runner.invoke(app, ["dlq", "redrive", "cardwatch-local-scorer-dlq"])
    assert result.exit_code == 0, result.output
    assert "0 kept" in result.output
    emptied = runner.invoke(app, ["dlq", "show", "scorer"])
    assert emptied.output.strip() == "cardwatch-local-scorer-dlq: no messages waiting"
    with client_environment(state["endpoint"]) as clients:
        verdicts = scan_table(clients["dynamodb"], stack.verdicts_table)
        assert len(verdicts) == 4, "the example's four valid rows"
        assert _depth(clients, "cardwatch-local-scorer-dlq") == 0
        doubtful = _alert_in_doubt(clients, stack, verdicts[0]["transaction_id"]["S"])
    result = runner.invoke(app, ["dlq", "redrive", "notifier"])
    assert result.exit_code == 0, result.output
    assert "cardwatch-local-notifier-dlq: 1 redriven, 0 kept" in result.output
    with client_environment(state["endpoint"]) as clients:
        status = _alert_status(clients, stack, doubtful)
        assert status == "sent", "the alert in doubt was sent again"
        assert _depth(clients, "cardwatch-local-notifier-dlq") == 0
    assert runner.invoke(app, ["local", "down"]).exit_code == 0
    assert local_up.wait(timeout=30) == 0
