"""The SAM templates deploy into moto through its CloudFormation, and the local runtime gives each
function its real trigger: S3 → EventBridge rule → (shadow SQS) → ingest, with retries and the
on-failure destination; the stream mappings with the template's settings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cardwatch_ingest import handler, labels_handler
from cardwatch_ingest.settings import IngestSettings
from cardwatch_local import moto_gaps
from cardwatch_local.runtime import AsyncInvoker, async_invokers, queue_url
from cardwatch_local.stack import CLIENTS, LocalStack, deploy, is_deployed, read
from cardwatch_notifier.settings import NotifierSettings
from cardwatch_scorer.settings import ScorerSettings
from cardwatch_shared import aws_clients
from cardwatch_shared.verdict_item import FRAUD_INSERT_FILTER

pytestmark = pytest.mark.integration
CALLS: list[dict[str, Any]] = []


def failing_handler(event: dict[str, Any], context: Any) -> None:
    """A function that always fails, to watch retries and the on-failure destination."""
    CALLS.append(event)
    raise RuntimeError("cannot read the upload")


@pytest.fixture
def clients(aws_endpoint: str) -> dict[str, Any]:
    return {name: aws_clients.client(name) for name in CLIENTS}


@pytest.fixture
def stack(clients: dict[str, Any]) -> LocalStack:
    return deploy(clients, admin_email="fraud-team@example.com")


def test_every_stack_is_created_from_its_template(
    stack: LocalStack, clients: dict[str, Any]
) -> None:
    statuses = {
        s["StackName"]: s["StackStatus"]
        for s in clients["cloudformation"].describe_stacks()["Stacks"]
    }
    assert statuses == {
        f"cardwatch-{part}-local": "CREATE_COMPLETE"
        for part in ("core", "ingest", "scorer", "notifier")
    }
    assert is_deployed(clients)
    assert not is_deployed(clients, "prod")
    names = {f["FunctionName"] for f in clients["lambda"].list_functions()["Functions"]}
    expected = ("ingest", "labels", "scorer", "notifier", "digest")
    assert names == {f"cardwatch-local-{n}" for n in expected}
    assert stack.bucket == "cardwatch-local-transactions-123456789012-us-east-1"
    assert stack.admin_emails == ("fraud-team@example.com",)


def test_the_functions_settings_come_from_the_templates(
    stack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in stack.variables.items():
        monkeypatch.setenv(key, value)
    ingest, scorer, notifier = IngestSettings(), ScorerSettings(), NotifierSettings()
    assert ingest.stream_name == stack.stream == "cardwatch-local-transactions"
    assert ingest.hmac_key_secret_id == stack.outputs["HmacKeySecretArn"]
    assert scorer.verdicts_table == notifier.verdicts_table == stack.verdicts_table
    assert scorer.models_bucket == stack.bucket
    assert notifier.alerts_topic_arn == stack.outputs["AlertsTopicArn"]


def test_triggers_carry_the_templates_settings(stack: LocalStack) -> None:
    rules = {t.rule: t for t in stack.async_triggers}
    upload, digest = rules["cardwatch-local-upload"], rules["cardwatch-local-digest"]
    assert upload.handler == "cardwatch_ingest.handler.lambda_handler"
    assert upload.queue_url is not None
    assert upload.max_retries == 2
    assert upload.on_failure_arn == stack.dlq_arns["IngestFailure"]
    assert digest.rate_s == 60.0
    assert digest.queue_url is None
    streams = {t.function: t for t in stack.stream_triggers}
    scorer = streams["cardwatch-local-scorer"]
    assert scorer.kind == "kinesis"
    assert scorer.handler == "cardwatch_scorer.handler.lambda_handler"
    assert scorer.settings.batch_size == 500
    assert scorer.settings.bisect_batch_on_function_error
    assert scorer.settings.report_batch_item_failures
    assert scorer.on_failure_arn == stack.dlq_arns["Scorer"]
    notifier = streams["cardwatch-local-notifier"]
    assert notifier.kind == "dynamodb"
    assert [json.loads(str(f)) for f in notifier.settings.filters] == [FRAUD_INSERT_FILTER]


def test_parameter_overrides_reach_the_deployed_mapping(clients: dict[str, Any]) -> None:
    deployed = deploy(clients, overrides={"MaximumRecordAgeSeconds": "86400", "BatchSize": "100"})
    scorer = next(t for t in deployed.stream_triggers if t.function == "cardwatch-local-scorer")
    assert scorer.settings.maximum_record_age_s == 86400
    assert scorer.settings.batch_size == 100
    assert read(clients) == deployed


def test_reading_the_deployment_back_gives_the_same_stack(
    stack: LocalStack, clients: dict[str, Any]
) -> None:
    assert read(clients) == stack


def _upload(clients: dict[str, Any], stack: LocalStack, key: str, body: bytes) -> None:
    clients["s3"].put_object(Bucket=stack.bucket, Key=key, Body=body)


def test_an_upload_reaches_ingest_through_the_rule(
    stack: LocalStack, clients: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in stack.variables.items():
        monkeypatch.setenv(key, value)
    header = (
        "transaction_id,timestamp,card_number,amount,currency,merchant_id,merchant_name,"
        "merchant_category,terminal_id,channel,country\n"
    )
    _upload(clients, stack, "incoming/empty.csv", header.encode())
    _upload(clients, stack, "elsewhere/ignored.csv", header.encode())
    handler.runtime.cache_clear()
    invoker = async_invokers(stack, clients["sqs"])["cardwatch-local-upload"]
    # The upload (refused: no mcc column), then its copy under incoming/refused/, which ingest
    # ignores; the object outside incoming/ does not match the rule.
    assert invoker.drain() == 2
    assert invoker.failures == 0
    keys = clients["s3"].list_objects_v2(Bucket=stack.bucket, Prefix="reports/")["Contents"]
    assert [k["Key"] for k in keys] == ["reports/empty.csv.json"]
    handler.runtime.cache_clear()
    report = clients["s3"].get_object(Bucket=stack.bucket, Key="reports/empty.csv.json")
    assert json.loads(report["Body"].read())["rows_read"] == 0


def test_a_failing_invocation_is_retried_then_dead_lettered_with_the_reason(
    stack: LocalStack, clients: dict[str, Any]
) -> None:
    upload = next(t for t in stack.async_triggers if t.rule == "cardwatch-local-upload")
    invoker = AsyncInvoker(upload, clients["sqs"], handler=failing_handler)
    CALLS.clear()
    _upload(clients, stack, "incoming/broken.csv", b"whatever")
    assert invoker.drain() == 1
    assert len(CALLS) == upload.max_retries + 1
    dlq = queue_url(clients["sqs"], stack.dlq_arns["IngestFailure"])
    (message,) = clients["sqs"].receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["responsePayload"]["errorMessage"] == "cannot read the upload"
    assert record["requestPayload"]["detail"]["object"]["key"] == "incoming/broken.csv"


def test_alerts_reach_the_mailbox_queue(stack: LocalStack, clients: dict[str, Any]) -> None:
    clients["sns"].publish(TopicArn=stack.outputs["AlertsTopicArn"], Subject="s", Message="m")
    messages = clients["sqs"].receive_message(QueueUrl=stack.mailbox_url)["Messages"]
    assert json.loads(messages[0]["Body"])["Message"] == "m"


def test_every_gap_says_why_and_what_instead() -> None:
    for gap in moto_gaps.all_gaps():
        assert gap.why
        assert gap.instead
    assert "AWS::SecretsManager::Secret" in moto_gaps.RESOURCE_GAPS


def test_a_review_decision_and_a_labels_file_land_as_labels_and_move_the_terminal(
    stack: LocalStack,
    clients: dict[str, Any],
    aws_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cardwatch_shared.contracts.label import Label, LabelSource, LabelValue
    from cardwatch_shared.label_store import LabelOutcome
    from cardwatch_tui.settings import TuiSettings
    from cardwatch_tui.stack_client import StackClient

    event = datetime.now(UTC) - timedelta(days=2)
    clients["dynamodb"].put_item(
        TableName=stack.verdicts_table,
        Item={
            "transaction_id": {"S": "tx-review-1"},
            "terminal_id": {"S": "T-77"},
            "card_token": {"S": "ab" * 32},
            "event_time": {"S": event.isoformat()},
        },
    )
    app_stack = StackClient(TuiSettings(environment="local", aws_endpoint_url=aws_endpoint))
    decision = Label(
        transaction_id="tx-review-1",
        label=LabelValue.FRAUD,
        source=LabelSource.ANALYST,
        known_at=datetime.now(UTC),
    )
    assert app_stack.record_label(decision) is LabelOutcome.APPLIED
    assert app_stack.record_label(decision) is LabelOutcome.UNCHANGED
    labels = clients["dynamodb"].scan(TableName="cardwatch-local-labels")["Items"]
    assert [(i["transaction_id"]["S"], i["label"]["S"]) for i in labels] == [
        ("tx-review-1", "fraud")
    ]
    terminal = clients["dynamodb"].get_item(
        TableName=stack.outputs["StateTableName"], Key={"pk": {"S": "terminal#T-77"}}
    )["Item"]
    day = int(event.timestamp()) // 86_400
    assert terminal[f"f_{day}"] == {"N": "1"}

    # A chargeback file under labels/ reaches the labels function through its rule and replaces
    # the analyst's label (later known_at): the terminal's count is taken back.
    for key, value in stack.variables.items():
        monkeypatch.setenv(key, value)
    labels_handler.runtime.cache_clear()
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    body = f"transaction_id,label,source,known_at\ntx-review-1,legit,chargeback,{later}\n"
    _upload(clients, stack, "labels/chargebacks.csv", body.encode())
    invoker = async_invokers(stack, clients["sqs"])["cardwatch-local-labels-upload"]
    assert invoker.drain() == 1
    assert invoker.failures == 0
    labels_handler.runtime.cache_clear()
    terminal = clients["dynamodb"].get_item(
        TableName=stack.outputs["StateTableName"], Key={"pk": {"S": "terminal#T-77"}}
    )["Item"]
    assert terminal[f"f_{day}"] == {"N": "0"}
    report = clients["s3"].get_object(
        Bucket=stack.bucket, Key="reports/labels/chargebacks.csv.json"
    )
    assert json.loads(report["Body"].read())["rows_accepted"] == 1
