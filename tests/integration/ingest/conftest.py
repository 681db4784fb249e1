"""A moto stack for the ingest handler: bucket, stream, idempotency table and a key."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cardwatch_shared.aws_clients import client
from cardwatch_shared.hmac_key import generate_hmac_key_hex
from kinesis_consumer.esm import LambdaContext
from tests.support.events import s3_object_created
from tests.support.kinesis_reader import read_all

BUCKET = "cardwatch-transactions-test"
STREAM = "cardwatch-transactions-test"
TABLE = "cardwatch-idempotency-test"


@dataclass
class IngestStack:
    """Handles on the moto resources and the handler under test."""

    s3: Any
    kinesis: Any
    dynamodb: Any
    key_hex: str

    def upload(self, key: str, body: bytes) -> dict[str, Any]:
        """Put the object and return the EventBridge event S3 would send."""
        reply = self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        return s3_object_created(BUCKET, key, len(body), reply["ETag"].strip('"'))

    def upload_file(self, key: str, path: Path) -> dict[str, Any]:
        """Upload a file from disk (one PUT, streamed) and return its "Object Created" event."""
        with path.open("rb") as body:
            self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        head = self.s3.head_object(Bucket=BUCKET, Key=key)
        return s3_object_created(BUCKET, key, head["ContentLength"], head["ETag"].strip('"'))

    def invoke(self, event: dict[str, Any], timeout_s: float = 900.0) -> Any:
        from cardwatch_ingest import handler

        return handler.lambda_handler(event, LambdaContext("cardwatch-ingest", timeout_s=timeout_s))

    def stream_records(self) -> list[dict[str, Any]]:
        return read_all(self.kinesis, STREAM)

    def object_text(self, key: str) -> str:
        return str(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode("utf-8"))

    def object_keys(self, prefix: str = "") -> list[str]:
        reply = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return sorted(o["Key"] for o in reply.get("Contents", []))

    def forget_idempotency(self) -> None:
        """Drop the idempotency records, as their expiry or a failed invocation would."""
        for item in self.dynamodb.scan(TableName=TABLE)["Items"]:
            self.dynamodb.delete_item(TableName=TABLE, Key={"id": item["id"]})

    def token_of(self, pan: str) -> str:
        return hmac.new(bytes.fromhex(self.key_hex), pan.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def ingest_stack(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[IngestStack]:
    key_hex = generate_hmac_key_hex()
    for name, value in {
        "CARDWATCH_STREAM_NAME": STREAM,
        "CARDWATCH_IDEMPOTENCY_TABLE": TABLE,
        "CARDWATCH_HMAC_KEY_HEX": key_hex,
        "CARDWATCH_PUT_BACKOFF_BASE_S": "0.001",
        "CARDWATCH_PUT_BACKOFF_CAP_S": "0.01",
        "AWS_LAMBDA_FUNCTION_NAME": "cardwatch-ingest-test",
    }.items():
        monkeypatch.setenv(name, value)
    s3, kinesis, dynamodb = client("s3"), client("kinesis"), client("dynamodb")
    s3.create_bucket(Bucket=BUCKET)
    kinesis.create_stream(StreamName=STREAM, ShardCount=2)
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    from cardwatch_ingest import handler

    handler.runtime.cache_clear()
    yield IngestStack(s3=s3, kinesis=kinesis, dynamodb=dynamodb, key_hex=key_hex)
    handler.runtime.cache_clear()
