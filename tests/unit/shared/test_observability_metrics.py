"""Each service publishes its own metrics, per thread, and nothing at all when metrics are off.

The local runtime runs the three functions in one process, their invocations in threads; on
Lambda each has a process of its own. A service's EMF line must hold only what its own
invocation added."""

from __future__ import annotations

import json
import threading
import warnings
from typing import Any

import pytest
from aws_lambda_powertools.metrics import MetricUnit, SchemaValidationError

from cardwatch_shared.observability import get_metrics

pytestmark = pytest.mark.unit


def _emf_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"_aws"')]


def _names(line: dict[str, Any]) -> set[str]:
    return {m["Name"] for block in line["_aws"]["CloudWatchMetrics"] for m in block["Metrics"]}


def test_each_service_flushes_only_its_own_metrics(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    ingest, notifier = get_metrics("ingest-test"), get_metrics("notifier-test")
    ingest.add_metric(name="RowsAccepted", unit=MetricUnit.Count, value=177)
    notifier.add_metric(name="AlertsSent", unit=MetricUnit.Count, value=1)
    notifier.flush_metrics()
    ingest.flush_metrics()
    first, second = _emf_lines(capsys.readouterr().out)
    assert (first["service"], _names(first)) == ("notifier-test", {"AlertsSent"})
    assert (second["service"], _names(second)) == ("ingest-test", {"RowsAccepted"})
    assert second["RowsAccepted"] == [177.0]


def test_an_invocation_in_another_thread_keeps_its_own_metric_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    scorer = get_metrics("scorer-test")
    added, flushed = threading.Event(), threading.Event()

    def other_invocation() -> None:
        scorer.add_metric(name="RecordsReceived", unit=MetricUnit.Count, value=500)
        added.set()
        flushed.wait(5)
        scorer.flush_metrics()

    other = threading.Thread(target=other_invocation)
    other.start()
    assert added.wait(5)
    scorer.add_metric(name="RecordsReceived", unit=MetricUnit.Count, value=48)
    scorer.flush_metrics()
    flushed.set()
    other.join(5)
    lines = _emf_lines(capsys.readouterr().out)
    assert [line["RecordsReceived"] for line in lines] == [[48.0], [500.0]]


def test_disabled_metrics_are_neither_kept_nor_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Powertools itself keeps adding while disabled and prints the set at 100 values."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    notifier = get_metrics("notifier-test")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "No application metrics to publish" would raise
        for _ in range(150):
            notifier.add_metric(name="AlertsSent", unit=MetricUnit.Count, value=1)
        notifier.flush_metrics()
    assert capsys.readouterr().out == ""
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED")
    notifier.add_metric(name="AlertsSent", unit=MetricUnit.Count, value=1)
    notifier.flush_metrics()
    (line,) = _emf_lines(capsys.readouterr().out)
    assert line["AlertsSent"] == [1.0]


def test_an_invocation_without_metrics_prints_nothing_and_does_not_warn(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest invocation that ignores an object adds no metrics; Powertools warned on stderr,
    a line that is not JSON in the function's logs."""
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    ingest = get_metrics("ingest-test")
    ingest.add_metadata(key="upload", value="ignored")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ingest.flush_metrics()
    assert capsys.readouterr().out == ""
    ingest.add_metric(name="FilesProcessed", unit=MetricUnit.Count, value=1)
    ingest.flush_metrics()
    (line,) = _emf_lines(capsys.readouterr().out)
    assert "upload" not in line, "the empty invocation's metadata is not carried into the next"
    with pytest.raises(SchemaValidationError):
        ingest.flush_metrics(raise_on_empty_metrics=True)
