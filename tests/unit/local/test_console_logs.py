"""The console of `local up`: Powertools JSON and EMF lines become short readable lines."""

from __future__ import annotations

import io
import json
import threading

import pytest

from cardwatch_local.console_logs import PrettyStdout, pretty, pretty_console

pytestmark = pytest.mark.unit

RECORD = {
    "level": "INFO",
    "location": "lambda_handler:83",
    "message": "batch scored",
    "timestamp": "2026-11-29 09:15:22,613+0000",
    "service": "scorer",
    "cold_start": False,
    "function_name": "cardwatch-local-scorer",
    "function_request_id": "59e46343",
    "records": 500,
    "duration_ms": 13435.04,
}
EMF = {
    "_aws": {
        "Timestamp": 1795943722619,
        "CloudWatchMetrics": [
            {"Namespace": "cardwatch", "Dimensions": [["service"]],
             "Metrics": [{"Name": "AlertsSent", "Unit": "Count"}]},
        ],
    },
    "service": "notifier",
    "AlertsSent": [1.0, 1.0, 1.0],
}  # fmt: skip


def test_a_log_record_keeps_time_service_level_message_and_its_own_keys() -> None:
    shown = pretty(json.dumps(RECORD))
    assert shown is not None
    assert shown.plain == "09:15:22 scorer    INFO  batch scored  records=500 duration_ms=13435.0"


def test_the_batch_id_every_scorer_line_carries_stays_in_cloudwatch() -> None:
    shown = pretty(json.dumps(RECORD | {"batch_id": "shardId-000000000000:" + "4" * 56}))
    assert shown is not None
    assert shown.plain == "09:15:22 scorer    INFO  batch scored  records=500 duration_ms=13435.0"


def test_a_metrics_record_shows_totals() -> None:
    shown = pretty(json.dumps(EMF))
    assert shown is not None
    assert shown.plain.endswith("notifier  metric AlertsSent=3.0")


@pytest.mark.parametrize("line", ["plain text", "{not json", "[1, 2]", '{"other": 1}'])
def test_anything_else_is_not_rewritten(line: str) -> None:
    assert pretty(line) is None


def test_lines_written_in_pieces_from_threads_stay_whole() -> None:
    target = io.StringIO()
    out = PrettyStdout(target)

    def write(n: int) -> None:
        for i in range(50):
            out.write(json.dumps(RECORD | {"records": n * 100 + i}))
            out.write("\n")
        out.write("passed through\n")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = target.getvalue().splitlines()
    assert len(lines) == 4 * 51
    assert lines.count("passed through") == 4
    shown = {line.split("records=")[1].split()[0] for line in lines if "records=" in line}
    assert shown == {str(n * 100 + i) for n in range(4) for i in range(50)}


def test_pretty_console_moves_a_logger_and_print_and_restores_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging
    import sys

    logger = logging.getLogger("cardwatch-console-test")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter('{"level": "%(levelname)s", "message": "%(message)s"}'))
    logger.addHandler(handler)
    try:
        with pretty_console(["cardwatch-console-test"]):
            logger.warning("card declined")
            sys.stdout.write(json.dumps(EMF) + "\n")  # as Powertools Metrics prints EMF
        logger.warning("after")
    finally:
        logger.removeHandler(handler)
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("?         WARNING card declined")
    assert "notifier  metric AlertsSent=3.0" in out[1]
    assert out[2] == '{"level": "WARNING", "message": "after"}'


def test_long_values_are_cut_on_the_console() -> None:
    shown = pretty(json.dumps(RECORD | {"report": {"rows": list(range(100))}}))
    assert shown is not None
    report = shown.plain.split("report=")[1]
    assert len(report) == 60
    assert report.endswith("…")
