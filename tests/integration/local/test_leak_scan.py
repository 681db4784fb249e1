"""The leak scan finds a card number wherever the stack could hold one, except raw uploads."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from cardwatch_local.dead_letters import peek, reasons
from cardwatch_local.leak_scan import scan_stack
from cardwatch_shared.aws_clients import client
from cardwatch_shared.hmac_key import generate_hmac_key_hex
from tests.support.cards import TEST_PANS

pytestmark = pytest.mark.integration
PAN = TEST_PANS[1]
BUCKET = "leak-scan-test"


def _clients() -> dict[str, object]:
    return {name: client(name) for name in ("s3", "dynamodb", "logs", "sqs", "secretsmanager")}


def test_clean_stack_with_tokens_scores_and_raw_uploads(aws_endpoint: str, tmp_path: Path) -> None:
    clients = _clients()
    s3 = client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="incoming/day.csv", Body=f"card_number\n{PAN}\n".encode())
    s3.put_object(Bucket=BUCKET, Key="reports/day.json", Body=b'{"score": 0.5555555555554444}')
    token = "ab" * 10 + PAN + "cd" * 10
    s3.put_object(Bucket=BUCKET, Key="reports/token.json", Body=json.dumps({"t": token}).encode())
    (tmp_path / "mail.eml").write_text("card ending 4444, masked", encoding="utf-8")
    scan = scan_stack(clients, [tmp_path])
    assert scan.leaks == []
    assert scan.scanned == {"s3 objects": 2, "local files": 1}


def test_a_number_anywhere_else_is_found_and_shown_masked(
    aws_endpoint: str, tmp_path: Path
) -> None:
    s3, dynamodb, logs, sqs = (client(n) for n in ("s3", "dynamodb", "logs", "sqs"))
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="rejected/x.errors.csv", Body=f"1,card,{PAN}\n".encode())
    dynamodb.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="t", Item={"k": {"S": "1"}, "note": {"S": f"pan {PAN}"}})
    dynamodb.put_item(TableName="t", Item={"k": {"S": "2"}, "blob": {"B": b"\xf4" + PAN.encode()}})
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    now_ms = int(time.time() * 1000)  # CloudWatch Logs refuses events over 14 days old
    logs.put_log_events(
        logGroupName="g",
        logStreamName="s",
        logEvents=[{"timestamp": now_ms, "message": f'{{"cvv": "123", "n": "{PAN}"}}'}],
    )
    url = sqs.create_queue(QueueName="q-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"reason": f"bad card {PAN}"}))
    key_hex = generate_hmac_key_hex()
    client("secretsmanager").create_secret(Name="hmac", SecretString=key_hex)
    (tmp_path / "up.log").write_text(f"oops {PAN}\nkey {key_hex}\n", encoding="utf-8")
    scan = scan_stack(_clients(), [tmp_path])
    found = sorted((leak.where.split(":")[0], leak.kind) for leak in scan.leaks)
    assert found == [
        ("dynamodb", "card number"),
        ("dynamodb", "card number"),
        ("file", "card number"),
        ("file", "secret"),
        ("logs", "card number"),
        ("logs", "cvv"),
        ("s3", "card number"),
        ("sqs", "card number"),
    ]
    shown = json.dumps(scan.as_json())
    assert PAN not in shown
    assert key_hex not in shown
    assert "4444" in shown
    assert len(peek(sqs, url)) == 1, "the scan leaves dead letters where they were"
    assert list(reasons(sqs, [url]).values()) == [1]


def test_an_object_too_big_to_read_is_reported_not_passed(
    aws_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cardwatch_local import leak_scan

    monkeypatch.setattr(leak_scan, "MAX_OBJECT_BYTES", 10)
    s3 = client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="rejected/big.errors.csv", Body=b"x" * 11)
    scan = scan_stack(_clients())
    assert [(leak.where, leak.kind) for leak in scan.leaks] == [
        (f"s3://{BUCKET}/rejected/big.errors.csv", "not read")
    ]
