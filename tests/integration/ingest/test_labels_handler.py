"""The labels function on moto: a labels CSV under `labels/` → labels table and fraud counts,
bad rows and unknown transactions to a rejects file, card data refused, redelivery harmless."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cardwatch_shared.aws_clients import client, resource
from cardwatch_shared.features.spec import SECONDS_PER_DAY
from cardwatch_shared.verdict_item import to_item
from kinesis_consumer.esm import LambdaContext
from tests.support.events import s3_object_created
from tests.support.leaks import assert_clean
from tests.support.tables import create_table
from tests.support.verdicts import sample_verdict

pytestmark = pytest.mark.integration
BUCKET, VERDICTS, STATE, LABELS = "cw-labels-bucket", "cw-l-verdicts", "cw-l-state", "cw-l-labels"
EVENT_TIME = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
HEADER = "transaction_id,label,source,known_at\n"


@dataclass
class LabelsStack:
    s3: Any

    def upload(self, key: str, body: str) -> dict[str, Any]:
        reply = self.s3.put_object(Bucket=BUCKET, Key=key, Body=body.encode())
        return s3_object_created(BUCKET, key, len(body.encode()), reply["ETag"].strip('"'))

    def invoke(self, event: dict[str, Any]) -> dict[str, Any] | None:
        from cardwatch_ingest import labels_handler

        report: dict[str, Any] | None = labels_handler.lambda_handler(
            event, LambdaContext("cardwatch-labels")
        )
        return report

    def text(self, key: str) -> str:
        return str(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode())

    def keys(self, prefix: str = "") -> list[str]:
        reply = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return sorted(o["Key"] for o in reply.get("Contents", []))

    def labels(self) -> dict[str, dict[str, Any]]:
        items = resource("dynamodb").Table(LABELS).scan(ConsistentRead=True)["Items"]
        return {item["transaction_id"]: item for item in items}

    def fraud_count(self, pk: str) -> int:
        item = resource("dynamodb").Table(STATE).get_item(Key={"pk": pk}).get("Item") or {}
        day = int(EVENT_TIME.timestamp()) // SECONDS_PER_DAY
        return int(item.get(f"f_{day}", 0))


@pytest.fixture
def labels_stack(aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[LabelsStack]:
    dynamodb, s3 = client("dynamodb"), client("s3")
    for logical, name in (("VerdictsTable", VERDICTS), ("StateTable", STATE)):
        create_table(dynamodb, logical, name)
    create_table(dynamodb, "LabelsTable", LABELS)
    s3.create_bucket(Bucket=BUCKET)
    table = resource("dynamodb").Table(VERDICTS)
    for index in range(3):
        verdict = sample_verdict(index, event_time=EVENT_TIME.isoformat(), terminal_id="T-9")
        table.put_item(Item=to_item(verdict))
    for name, value in {
        "CARDWATCH_LABELS_TABLE": LABELS,
        "CARDWATCH_STATE_TABLE": STATE,
        "CARDWATCH_VERDICTS_TABLE": VERDICTS,
        "AWS_LAMBDA_FUNCTION_NAME": "cardwatch-labels-test",
    }.items():
        monkeypatch.setenv(name, value)
    from cardwatch_ingest import labels_handler

    labels_handler.runtime.cache_clear()
    yield LabelsStack(s3)
    labels_handler.runtime.cache_clear()


def _known(days: int) -> str:
    return (EVENT_TIME + timedelta(days=days)).isoformat()


def test_good_rows_are_recorded_and_bad_ones_rejected_with_row_and_reason(
    labels_stack: LabelsStack, capsys: pytest.CaptureFixture[str]
) -> None:
    body = HEADER + (
        f"tx-00000,fraud,chargeback,{_known(3)}\n"  # 1 ok
        f"tx-00001,legit,analyst,{_known(1)}\n"  # 2 ok
        f"tx-00002,maybe,analyst,{_known(1)}\n"  # 3 label not fraud|legit
        f"tx-00002,fraud,bank,2026-11-01\n"  # 4 source and timestamp without zone
        f"tx-99999,fraud,chargeback,{_known(1)}\n"  # 5 no verdict
        "tx-00002,fraud\n"  # 6 ragged
    )
    report = labels_stack.invoke(labels_stack.upload("labels/2026-11-28.csv", body))
    assert report is not None
    assert (report["status"], report["rows_read"], report["rows_accepted"]) == ("partial", 6, 2)
    assert report["rows_rejected"] == 4
    assert set(labels_stack.labels()) == {"tx-00000", "tx-00001"}
    assert labels_stack.fraud_count("terminal#T-9") == 1
    rejects = list(csv.DictReader(io.StringIO(labels_stack.text(report["rejects_key"]))))
    by_row = {(r["row_number"], r["column"]) for r in rejects}
    assert {("3", "label"), ("4", "source"), ("4", "known_at"), ("5", "transaction_id")} <= by_row
    assert ("6", "") in by_row
    unknown = next(r for r in rejects if r["row_number"] == "5")
    assert "no verdict" in unknown["reason"]
    stored = json.loads(labels_stack.text("reports/labels/2026-11-28.csv.json"))
    assert stored["rows_accepted"] == 2
    assert_clean(capsys.readouterr().out)


def test_the_same_file_delivered_twice_counts_once(labels_stack: LabelsStack) -> None:
    body = HEADER + f"tx-00000,fraud,chargeback,{_known(3)}\ntx-00001,fraud,analyst,{_known(2)}\n"
    event = labels_stack.upload("labels/twice.csv", body)
    for _ in range(2):
        report = labels_stack.invoke(event)
        assert report is not None
        assert report["rows_accepted"] == 2
    assert labels_stack.fraud_count("terminal#T-9") == 2


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("transaction_id,label,source,known_at,card_number\n", "labels carry no card data"),
        ("transaction_id;label;source;known_at\n", "the delimiter must be a comma"),
        ("transaction_id,label\n", "missing required column(s): source, known_at"),
    ],
)
def test_a_file_with_card_data_or_a_bad_header_is_refused_whole(
    labels_stack: LabelsStack, body: str, reason: str
) -> None:
    report = labels_stack.invoke(labels_stack.upload("labels/bad.csv", body + "x,y,z,w\n"))
    assert report is not None
    assert report["status"] == "rejected"
    assert reason in report["file_error"]
    assert labels_stack.keys("labels/") == ["labels/refused/bad.csv"]
    assert labels_stack.labels() == {}
    copy = labels_stack.upload("labels/refused/bad.csv", body)
    assert labels_stack.invoke(copy) is None  # the set-aside copy is not a new upload
