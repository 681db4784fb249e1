"""The saved Logs Insights queries, evaluated locally over Powertools JSON log lines."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cardwatch_local.logs_insights import QueryError, event_row, run_query, saved_queries

pytestmark = pytest.mark.unit
HOUR_MS = 3_600_000


def line(
    at_ms: int, group: str = "/aws/lambda/cardwatch-local-ingest", **fields: Any
) -> dict[str, Any]:
    return event_row({"timestamp": at_ms, "message": json.dumps(fields)}, group)


def test_every_saved_query_is_in_the_supported_subset() -> None:
    queries = saved_queries()
    assert len(queries) >= 6
    for query in queries.values():
        run_query(query, [line(0, message="x", level="INFO")])


def test_rejected_rows_by_reason_sums_per_reason() -> None:
    rows = [
        line(1, message="rows rejected", reason="Luhn", rows=3),
        line(2, message="rows rejected", reason="currency", rows=1),
        line(3, message="rows rejected", reason="Luhn", rows=2),
        line(4, message="ingest report", rows=99),
    ]
    result = run_query(saved_queries()["rejected-rows-by-reason"], rows)
    assert result == [{"reason": "Luhn", "rejected": 5.0}, {"reason": "currency", "rejected": 1.0}]


def test_fraud_verdicts_per_hour_bins_by_hour() -> None:
    rows = [
        line(10, message="batch scored", frauds=1, verdicts=100),
        line(20, message="batch scored", frauds=2, verdicts=50),
        line(HOUR_MS + 5, message="batch scored", frauds=0, verdicts=7),
    ]
    result = run_query(saved_queries()["fraud-verdicts-per-hour"], rows)
    assert result == [
        {"@timestamp": HOUR_MS, "fraud_verdicts": 0.0, "all_verdicts": 7.0},
        {"@timestamp": 0, "fraud_verdicts": 3.0, "all_verdicts": 150.0},
    ]


def test_errors_by_service_counts_error_and_critical_only() -> None:
    rows = [
        line(1, level="ERROR", service="scorer", correlation_id="a", message="m"),
        line(2, level="CRITICAL", service="scorer", correlation_id="a", message="m"),
        line(3, level="ERROR", service="ingest", correlation_id="b", message="m"),
        line(4, level="INFO", service="ingest", correlation_id="b", message="m"),
    ]
    result = run_query(saved_queries()["errors-by-service"], rows)
    assert result == [
        {"service": "scorer", "correlation_id": "a", "errors": 2.0},
        {"service": "ingest", "correlation_id": "b", "errors": 1.0},
    ]


def test_slow_scorer_batches_filters_on_a_number_and_sorts() -> None:
    rows = [
        line(1, message="batch scored", records=5, duration_ms=900.0),
        line(2, message="batch scored", records=6, duration_ms=1500.0),
        line(3, message="batch scored", records=7, duration_ms=3000.0),
    ]
    result = run_query(saved_queries()["slow-scorer-batches"], rows)
    assert [r["duration_ms"] for r in result] == [3000.0, 1500.0]
    shown = {"@timestamp", "records", "duration_ms", "model_version", "batch_id"}
    assert set(result[0]) == shown


def test_flagged_transactions_lists_the_fraud_lines_newest_first() -> None:
    rows = [
        line(1, message="fraud flagged", transaction_id="tx-1", score=0.9, batch_id="s:1-2"),
        line(2, message="batch scored", records=2, frauds=1),
        line(3, message="fraud flagged", transaction_id="tx-7", score=0.8, batch_id="s:7-7"),
    ]
    result = run_query(saved_queries()["flagged-transactions"], rows)
    assert [r["transaction_id"] for r in result] == ["tx-7", "tx-1"]
    assert result[0]["batch_id"] == "s:7-7"


def test_nested_fields_are_addressed_with_dots() -> None:
    rows = [line(1, report={"rows_read": 4}), line(2, report={"rows_read": 1})]
    result = run_query("filter report.rows_read > 2 | stats count(*) as n", rows)
    assert result == [{"n": 1.0}]


def test_outside_the_subset_is_refused_with_the_reason() -> None:
    with pytest.raises(QueryError, match="unsupported command: parse"):
        run_query("parse @message 'x *' as y", [])
    with pytest.raises(QueryError, match="unsupported filter"):
        run_query("filter message like /x/", [])


def test_cold_starts_counts_the_report_lines_with_an_init_duration() -> None:
    from cardwatch_local.invocation_report import report_line

    group = "/aws/lambda/cardwatch-local-scorer"
    reports = [
        event_row({"timestamp": 10, "message": report_line("r1", 812.5, 1024, 2400.0)}, group),
        event_row({"timestamp": 20, "message": report_line("r2", 40.0, 1024)}, group),
        event_row({"timestamp": 30, "message": report_line("r3", 35.0, 1024, 1600.0)}, group),
        line(40, group, message="batch scored", records=3),
    ]
    assert reports[0]["@type"] == "REPORT"
    assert reports[0]["@billedDuration"] == 813.0
    assert "@initDuration" not in reports[1]
    result = run_query(saved_queries()["cold-starts"], reports)
    assert len(result) == 1
    assert result[0]["cold_starts"] == 2
    assert result[0]["avg_init_ms"] == 2000.0
    assert result[0]["max_init_ms"] == 2400.0
