"""REPORT lines of the local runtime: one per invocation, Init Duration on the first only."""

from __future__ import annotations

from typing import Any

import pytest

from cardwatch_local.invocation_report import InvocationReports
from kinesis_consumer.esm import LambdaContext

pytestmark = pytest.mark.unit


def test_each_call_reports_and_only_the_first_is_a_cold_start() -> None:
    lines: list[tuple[str, str]] = []
    reports = InvocationReports(lambda function, line: lines.append((function, line)))
    handler = reports.load("cardwatch-local-ingest", "operator.is_not")
    context = LambdaContext("cardwatch-local-ingest", memory_limit_in_mb=512)
    assert handler({"a": 1}, None) is True  # is_not(event, context): the handler ran
    handler({}, context)
    assert [function for function, _ in lines] == ["cardwatch-local-ingest"] * 2
    first, second = (line for _, line in lines)
    assert first.startswith("REPORT RequestId: local\tDuration: ")
    assert "Init Duration: " in first
    assert "Init Duration" not in second
    assert f"REPORT RequestId: {context.aws_request_id}\t" in second
    assert "Memory Size: 512 MB" in second


def test_a_failing_call_still_reports() -> None:
    lines: list[str] = []
    reports = InvocationReports(lambda _function, line: lines.append(line))

    def fails(_event: dict[str, Any], _context: Any) -> None:
        raise RuntimeError("boom")

    handler = reports.wrap("cardwatch-local-scorer", fails)
    with pytest.raises(RuntimeError):
        handler({}, None)
    assert len(lines) == 1
    assert lines[0].startswith("REPORT RequestId: ")
