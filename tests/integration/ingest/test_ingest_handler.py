"""The ingest handler against moto server: an S3 upload in; records, rejects, reports out."""

from __future__ import annotations

import csv
import gzip
import io
import json

import pytest

from cardwatch_ingest import handler
from cardwatch_ingest.kinesis_writer import PutBudgetExceededError
from cardwatch_ingest.observability import logger
from cardwatch_shared.contracts import IngestReport, Transaction
from tests.integration.ingest.conftest import IngestStack
from tests.support.aws_faults import FlakyPutRecords
from tests.support.cards import TEST_PANS
from tests.support.csv_files import good_row, to_csv
from tests.support.leaks import assert_clean
from tests.support.log_capture import log_lines

pytestmark = pytest.mark.integration


def report_of(stack: IngestStack, name: str) -> IngestReport:
    return IngestReport.model_validate_json(stack.object_text(f"reports/{name}.json"))


def test_good_file_lands_on_the_stream_tokenised(ingest_stack: IngestStack) -> None:
    rows = [good_row(i) for i in range(25)]
    result = ingest_stack.invoke(ingest_stack.upload("incoming/good.csv", to_csv(rows)))
    assert result["status"] == "accepted"
    assert (result["rows_read"], result["rows_accepted"], result["rows_rejected"]) == (25, 25, 0)
    records = [Transaction.model_validate(r) for r in ingest_stack.stream_records()]
    assert sorted(r.transaction_id for r in records) == [f"tx-{i:06d}" for i in range(25)]
    first = next(r for r in records if r.transaction_id == "tx-000000")
    assert first.card_token == ingest_stack.token_of(TEST_PANS[0])
    assert first.last4 == TEST_PANS[0][-4:]
    assert first.amount_minor == 1000
    assert first.source.row_number == 1
    assert first.source.key == "incoming/good.csv"
    assert report_of(ingest_stack, "good.csv").rows_accepted == 25
    assert ingest_stack.object_keys("rejected/") == []
    for record in ingest_stack.stream_records():
        assert_clean(json.dumps(record), "a stream record")


def test_mixed_file_rejects_bad_rows_and_keeps_the_good(ingest_stack: IngestStack) -> None:
    rows = [
        good_row(0),
        good_row(1, card_number="4111111111111112"),
        good_row(2, amount="-5"),
        good_row(3, merchant_name='=HYPERLINK("http://x")', amount="abc"),
        good_row(4, transaction_id="tx-000000"),
        good_row(5, timestamp="2026-11-20T10:00:00"),
        good_row(6),
    ]
    result = ingest_stack.invoke(ingest_stack.upload("incoming/mixed.csv", to_csv(rows)))
    assert result["status"] == "partial"
    assert (result["rows_read"], result["rows_accepted"], result["rows_rejected"]) == (7, 2, 5)
    assert result["rejects_key"] == "rejected/mixed.csv.errors.csv"
    lines = list(csv.DictReader(io.StringIO(ingest_stack.object_text(result["rejects_key"]))))
    by_row = {(line["row_number"], line["column"]): line for line in lines}
    assert by_row[("2", "card_number")]["reason"] == "card number fails the Luhn check"
    assert by_row[("2", "card_number")]["value"] == "•••• 1112"
    assert by_row[("3", "amount")]["value"] == "'-5"
    assert by_row[("4", "amount")]["reason"] == "amount is not a number"
    assert by_row[("5", "transaction_id")]["reason"] == "duplicate transaction_id in this file"
    assert by_row[("6", "timestamp")]["reason"].startswith("timestamp needs a UTC offset")
    ids = sorted(r["transaction_id"] for r in ingest_stack.stream_records())
    assert ids == ["tx-000000", "tx-000006"]
    assert result["rejects_by_reason"]["amount must be positive"] == 1


def test_rows_without_ids_get_stable_derived_ids(ingest_stack: IngestStack) -> None:
    event = ingest_stack.upload(
        "incoming/noids.csv", to_csv([good_row(i, transaction_id="") for i in range(3)])
    )
    ingest_stack.invoke(event)
    ingest_stack.forget_idempotency()  # as after a failed invocation: Lambda retries the file
    ingest_stack.invoke(event)
    ids = [r["transaction_id"] for r in ingest_stack.stream_records()]
    assert len(ids) == 6
    assert len(set(ids)) == 3, "a replayed file must carry the same transaction ids"


def test_size_limit(ingest_stack: IngestStack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARDWATCH_MAX_FILE_BYTES", "100")
    handler.runtime.cache_clear()
    result = ingest_stack.invoke(
        ingest_stack.upload("incoming/big.csv", to_csv([good_row(i) for i in range(5)]))
    )
    assert result["status"] == "rejected"
    assert "over the limit of 100" in result["file_error"]


def test_gzip_bom_crlf_and_extra_columns(ingest_stack: IngestStack) -> None:
    columns = [*good_row(0).keys(), "note"]
    rows = [{**good_row(i), "note": "multi\nline"} for i in range(4)]
    body = b"\xef\xbb\xbf" + to_csv(rows, columns=columns, line_terminator="\r\n")
    result = ingest_stack.invoke(ingest_stack.upload("incoming/day.csv.gz", gzip.compress(body)))
    assert result["status"] == "accepted"
    assert result["rows_accepted"] == 4
    assert result["unknown_columns"] == ["note"]
    assert len(ingest_stack.stream_records()) == 4


def test_throttled_put_records_loses_nothing(ingest_stack: IngestStack) -> None:
    state = handler.runtime()
    flaky = FlakyPutRecords(state.kinesis, share=0.3)
    state.kinesis = flaky
    rows = [good_row(i) for i in range(600)]
    result = ingest_stack.invoke(ingest_stack.upload("incoming/throttled.csv", to_csv(rows)))
    assert flaky.records_failed > 100
    assert result["rows_accepted"] == 600
    ids = [r["transaction_id"] for r in ingest_stack.stream_records()]
    assert sorted(ids) == sorted(f"tx-{i:06d}" for i in range(600))


def test_out_of_time_fails_the_invocation(ingest_stack: IngestStack) -> None:
    state = handler.runtime()
    state.kinesis = FlakyPutRecords(state.kinesis, share=1.0, always=True)
    event = ingest_stack.upload("incoming/stuck.csv", to_csv([good_row(0)]))
    with pytest.raises(PutBudgetExceededError, match="out of time"):
        ingest_stack.invoke(event, timeout_s=10.5)
    assert ingest_stack.object_keys("reports/") == []


def test_same_event_twice_puts_nothing_twice(ingest_stack: IngestStack) -> None:
    event = ingest_stack.upload("incoming/twice.csv", to_csv([good_row(i) for i in range(10)]))
    first = ingest_stack.invoke(event)
    second = ingest_stack.invoke(event)
    assert second == first
    assert len(ingest_stack.stream_records()) == 10


def test_objects_outside_incoming_are_ignored(ingest_stack: IngestStack) -> None:
    assert ingest_stack.invoke(ingest_stack.upload("reports/x.csv", b"a,b\n")) is None
    assert ingest_stack.invoke(ingest_stack.upload("incoming/refused/x.csv", b"a,b\n")) is None
    assert ingest_stack.stream_records() == []


def test_an_invocation_logs_none_of_the_previous_ones_keys(ingest_stack: IngestStack) -> None:
    with log_lines(logger) as taken:
        ingest_stack.invoke(ingest_stack.upload("incoming/keys.csv", to_csv([good_row(0)])))
        first = taken()
        ingest_stack.invoke(ingest_stack.upload("reports/keys.csv", b"a,b\n"))
        ignored = taken()
    assert any("upload_id" in line for line in first)
    assert [line["message"] for line in ignored] == ["object outside the incoming prefix ignored"]
    assert "upload_id" not in ignored[0]


def test_no_card_number_in_logs_reports_or_rejects(
    ingest_stack: IngestStack, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [good_row(0), good_row(1, amount="x"), good_row(2, merchant_name=TEST_PANS[3])]
    result = ingest_stack.invoke(ingest_stack.upload("incoming/leak.csv", to_csv(rows)))
    assert result["rows_accepted"] == 1
    assert (
        result["rejects_by_reason"][
            "looks like a card number; card numbers belong in card_number only"
        ]
        == 1
    )
    outputs = [capsys.readouterr().out, json.dumps(result)]
    outputs += [
        ingest_stack.object_text(k)
        for k in ingest_stack.object_keys()
        if not k.startswith("incoming/")
    ]
    outputs += [json.dumps(r) for r in ingest_stack.stream_records()]
    assert outputs[0], "the handler logged nothing"
    for text in outputs:
        assert_clean(text)
