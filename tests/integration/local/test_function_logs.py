"""The local runtime ships each invocation's log lines to its own function's log group, also
while another function of the same service (the ingest logger serves uploads and labels) runs
at the same time and rewrites the logger's `function_name`."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest

from cardwatch_ingest.observability import logger
from cardwatch_local import function_logs
from cardwatch_local.invocation_report import InvocationReports
from kinesis_consumer.esm import LambdaContext

pytestmark = pytest.mark.integration

UPLOADS, LABELS = "cardwatch-test-ingest", "cardwatch-test-labels"


def _messages(logs: Any, function: str) -> list[str]:
    events = logs.filter_log_events(logGroupName=function_logs.log_group(function))["events"]
    return [e["message"] for e in events]


def test_concurrent_functions_of_one_logger_keep_their_own_log_groups(aws_endpoint: str) -> None:
    logs = boto3.client("logs", endpoint_url=aws_endpoint, region_name="us-east-1")
    shipper = function_logs.CloudWatchLogsHandler(logs, {"ingest": UPLOADS})
    reports = InvocationReports(shipper.write_line)
    labels_started, upload_done = threading.Event(), threading.Event()

    @logger.inject_lambda_context(clear_state=True)
    def upload(_event: dict[str, Any], _context: Any) -> None:
        logger.info("upload begins")
        assert labels_started.wait(5)  # the labels invocation has set its function_name
        logger.info("upload ends")
        upload_done.set()

    @logger.inject_lambda_context(clear_state=True)
    def labels(_event: dict[str, Any], _context: Any) -> None:
        logger.info("labels begin")
        labels_started.set()
        assert upload_done.wait(5)

    calls = [
        (reports.wrap(UPLOADS, upload), LambdaContext(UPLOADS)),
        (reports.wrap(LABELS, labels), LambdaContext(LABELS)),
    ]
    function_logs.attach(shipper)
    try:
        threads = [threading.Thread(target=call, args=({}, ctx)) for call, ctx in calls]
        threads[0].start()
        threads[1].start()
        for thread in threads:
            thread.join(10)
        shipper.flush()
    finally:
        function_logs.detach(shipper)
    uploads, labelled = _messages(logs, UPLOADS), _messages(logs, LABELS)
    assert sum('"upload ends"' in m for m in uploads) == 1
    assert not any("upload" in m for m in labelled)
    assert sum('"labels begin"' in m for m in labelled) == 1
    assert sum(m.startswith("REPORT") for m in uploads + labelled) == 2
