"""The app against moto: an upload lands in `incoming/` (retried uploads overwrite one key), the
verdicts pane shows stored verdicts coloured by score with the file's ingest report, and the
operations pane reads DLQ depths and the current model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual.widgets import DataTable, Static

from cardwatch_tui.stack_client import StackNames
from tests.unit.tui.app_under_test import make_app, settle, type_transaction

pytestmark = pytest.mark.integration
BUCKET, TABLE = "tx-bucket", "verdicts"


VERDICT_ITEM = {
    "transaction_id": {"S": "tx-1"},
    "last4": {"S": "1111"},
    "amount": {"N": "42.5"},
    "currency": {"S": "EUR"},
    "score": {"N": "0.91"},
    "is_fraud": {"BOOL": True},
    "decision": {"S": "block"},
    "model_version": {"S": "m-1"},
    "reason_codes": {"L": [{"M": {"code": {"S": "amount_high"}, "text": {"S": "x"}}}]},
}


def _aws(endpoint: str) -> dict[str, Any]:
    kwargs = {"endpoint_url": endpoint, "region_name": "us-east-1"}
    clients = {n: boto3.client(n, **kwargs) for n in ("s3", "dynamodb", "sqs")}
    clients["s3"].create_bucket(Bucket=BUCKET)
    clients["dynamodb"].create_table(
        TableName=TABLE,
        AttributeDefinitions=[{"AttributeName": "transaction_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "transaction_id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return clients


def _names(sqs: Any) -> StackNames:
    sqs.create_queue(QueueName="scorer-dlq")
    sqs.send_message(
        QueueUrl=sqs.get_queue_url(QueueName="scorer-dlq")["QueueUrl"], MessageBody="{}"
    )
    return StackNames(BUCKET, TABLE, {"Scorer": "arn:aws:sqs:us-east-1:123456789012:scorer-dlq"})


def _text(app: Any, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_upload_verdicts_and_operations(aws_endpoint: str, tmp_path: Path) -> None:
    aws = _aws(aws_endpoint)
    app = make_app(tmp_path, endpoint=aws_endpoint, names=_names(aws["sqs"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await type_transaction(pilot, "4111111111111111", transaction_id="tx-1")
        await pilot.press("enter")
        await pilot.press("ctrl+u")
        await settle(pilot, lambda: app.batch.uploaded_key is not None)
        key = "incoming/tui/batch-20261101T120000.csv"
        assert app.batch.uploaded_key == key
        body = aws["s3"].get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
        assert body.splitlines()[1].startswith("tx-1,")
        await pilot.press("ctrl+u")  # a retry writes the same key again, not a second file
        await settle(pilot, lambda: app.batch.uploaded_key is not None)
        assert aws["s3"].list_objects_v2(Bucket=BUCKET, Prefix="incoming/")["KeyCount"] == 1

        report = {"rows_accepted": 1, "rows_rejected": 0, "rejects_by_reason": {}}
        report_key = "reports/tui/batch-20261101T120000.csv.json"
        aws["s3"].put_object(Bucket=BUCKET, Key=report_key, Body=json.dumps(report).encode())
        aws["dynamodb"].put_item(TableName=TABLE, Item=VERDICT_ITEM)
        await pilot.press("f4")
        table = app.query_one("#verdicts-table", DataTable)
        await settle(pilot, lambda: table.row_count > 0)
        row = table.get_row_at(0)
        assert str(row[3]) == "0.910"
        assert row[3].style == "bold red"
        assert "amount_high" in str(row[5])
        assert "1 accepted, 0 rejected" in _text(app, "#reports")

        model = json.dumps({"version": "m-1", "metrics": {"auc": 0.9}}).encode()
        aws["s3"].put_object(Bucket=BUCKET, Key="models/current.json", Body=model)
        await pilot.press("f6")
        await app.run_action("refresh_operations")
        await settle(pilot, lambda: "m-1" in _text(app, "#ops-info"))
        assert "m-1" in _text(app, "#ops-info")
        dlq = app.query_one("#dlq-table", DataTable)
        assert [str(c) for c in dlq.get_row_at(0)] == ["Scorer", "1"]
