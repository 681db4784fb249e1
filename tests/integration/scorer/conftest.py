"""A moto stack for the scorer: stream, verdicts and state tables, a bucket with a live model."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cardwatch_scorer import handler
from cardwatch_shared.aws_clients import client, resource
from cardwatch_shared.aws_wire import wire_client
from cardwatch_shared.contracts import Transaction
from cardwatch_shared.settings import CardwatchSettings
from kinesis_consumer.esm import LambdaContext
from tests.integration.notifier.conftest import notifier_stack  # noqa: F401 - a fixture here too
from tests.support.kinesis_events import lambda_kinesis_event, payload, put_and_read
from tests.support.models import amount_model, publish
from tests.support.tables import create_table

STREAM, VERDICTS, STATE, BUCKET = "cw-tx", "cw-verdicts", "cw-state", "cw-models"


@dataclass
class ScorerStack:
    """Handles on the moto resources and the handler under test."""

    kinesis: Any
    s3: Any
    stream_arn: str

    def event_for(
        self, transactions: list[Transaction], raw: list[bytes] | None = None
    ) -> dict[str, Any]:
        payloads = raw if raw is not None else [payload(t) for t in transactions]
        keys = [t.card_token for t in transactions] if raw is None else ["k"] * len(payloads)
        return lambda_kinesis_event(
            put_and_read(self.kinesis, STREAM, payloads, keys), self.stream_arn
        )

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = handler.lambda_handler(event, LambdaContext("scorer"))
        return response

    def verdicts(self) -> dict[str, dict[str, Any]]:
        items = resource("dynamodb").Table(VERDICTS).scan(ConsistentRead=True)["Items"]
        return {item["transaction_id"]: item for item in items}

    def state(self) -> dict[str, dict[str, Any]]:
        items = resource("dynamodb").Table(STATE).scan(ConsistentRead=True)["Items"]
        return {item["pk"]: item for item in items}


@pytest.fixture
def scorer_stack(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[ScorerStack]:
    dynamodb, kinesis, s3 = client("dynamodb"), client("kinesis"), client("s3")
    kinesis.create_stream(StreamName=STREAM, ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"][
        "StreamARN"
    ]
    create_table(dynamodb, "VerdictsTable", VERDICTS)
    create_table(dynamodb, "StateTable", STATE)
    s3.create_bucket(Bucket=BUCKET)
    publish(s3, BUCKET, amount_model("m1"))
    for name, value in {
        "CARDWATCH_VERDICTS_TABLE": VERDICTS,
        "CARDWATCH_STATE_TABLE": STATE,
        "CARDWATCH_MODELS_BUCKET": BUCKET,
        "CARDWATCH_MODEL_REFRESH_S": "0",
        "CARDWATCH_RULES_REFRESH_S": "0",
    }.items():
        monkeypatch.setenv(name, value)
    handler.runtime.cache_clear()
    yield ScorerStack(kinesis, s3, arn)
    handler.runtime.cache_clear()


@pytest.fixture(params=["wire", "botocore"])
def state_db(request: pytest.FixtureRequest, aws_endpoint: str) -> Any:
    """The scorer's own client (it writes and reads DynamoDB's JSON itself), and a plain one."""
    return (
        wire_client("dynamodb", CardwatchSettings())
        if request.param == "wire"
        else client("dynamodb")
    )
