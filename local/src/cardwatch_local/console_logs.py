"""Readable function output on the console of `cardwatch local up`.

The functions write Powertools JSON log lines and EMF metric lines to stdout, as on Lambda; the
CloudWatch Logs copy keeps that JSON. On the console each line becomes one short coloured line:
time, service, level, message and the record's own keys. Anything that is not JSON passes
through unchanged. Times are UTC, as in the records.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

# Keys Powertools adds to every record: shown by position (time, service, level) or not at all.
STANDARD_KEYS = frozenset(
    {
        "level",
        "location",
        "message",
        "timestamp",
        "service",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "xray_trace_id",
        "sampling_rate",
    }
)
# Keys a function adds to every line of one invocation (the scorer's batch): they tie lines
# together in CloudWatch Logs; on the console the lines of an invocation follow each other.
INVOCATION_KEYS = frozenset({"batch_id"})
HIDDEN_KEYS = STANDARD_KEYS | INVOCATION_KEYS
LEVEL_STYLES = {"DEBUG": "dim", "INFO": "green", "WARNING": "yellow", "ERROR": "bold red"}
SERVICE_WIDTH = 9
VALUE_WIDTH = 60


def _clock(record: dict[str, Any]) -> str:
    stamp = record.get("timestamp")
    if isinstance(stamp, str) and len(stamp) >= 19:
        return stamp[11:19]
    if isinstance(stamp, int | float):
        return datetime.fromtimestamp(stamp / 1000, UTC).strftime("%H:%M:%S")
    return datetime.now(UTC).strftime("%H:%M:%S")


def _value(value: Any) -> str:
    """A key's value, cut to one screenful (the whole record stays in CloudWatch Logs)."""
    if isinstance(value, float):
        return f"{value:.1f}"
    text = (
        json.dumps(value, separators=(",", ":"), default=str)
        if isinstance(value, dict | list)
        else str(value)
    )
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def log_line(record: dict[str, Any]) -> Text:
    """A Powertools log record as one line: `12:00:01 scorer    INFO  batch scored  records=500`."""
    level = str(record.get("level", "INFO"))
    line = Text(f"{_clock(record)} ", style="dim")
    line.append(f"{record.get('service', '?')!s:<{SERVICE_WIDTH}} ", style="cyan")
    line.append(f"{level:<5} ", style=LEVEL_STYLES.get(level, ""))
    line.append(str(record.get("message", "")))
    extras = [f"{k}={_value(v)}" for k, v in record.items() if k not in HIDDEN_KEYS]
    if extras:
        line.append("  " + " ".join(extras), style="dim")
    return line


def metrics_line(record: dict[str, Any]) -> Text:
    """An EMF metrics record as one line of totals: `12:00:01 scorer    metric Records=500`."""
    directive = record["_aws"]
    blocks = directive.get("CloudWatchMetrics", [])
    names = [metric["Name"] for block in blocks for metric in block["Metrics"]]
    totals = []
    for name in names:
        value = record.get(name, 0)
        total = sum(value) if isinstance(value, list) else value
        totals.append(f"{name}={_value(total)}")
    line = Text(f"{_clock({'timestamp': directive.get('Timestamp')})} ", style="dim")
    line.append(f"{record.get('service', '?')!s:<{SERVICE_WIDTH}} ", style="cyan")
    line.append("metric ", style="magenta")
    line.append(" ".join(totals), style="dim")
    return line


def pretty(text: str) -> Text | None:
    """The console form of one output line, or None when it is not a JSON record."""
    if not text.startswith("{"):
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    if "_aws" in record:
        return metrics_line(record)
    if "message" in record and "level" in record:
        return log_line(record)
    return None


class PrettyStdout(io.TextIOBase):
    """Stands in for stdout: JSON records become readable lines, other text passes through.

    Several functions run at once in threads, and `print` writes a line and its newline in two
    calls, so each thread keeps its own partial line."""

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self._target = target
        self._console = Console(file=target, highlight=False, soft_wrap=True)
        self._partial = threading.local()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        buffered: str = getattr(self._partial, "text", "") + text
        *lines, rest = buffered.split("\n")
        self._partial.text = rest
        for line in lines:
            shown = pretty(line)
            if shown is None:
                self._target.write(line + "\n")
            else:
                self._console.print(shown)
        return len(text)

    def flush(self) -> None:
        self._target.flush()


@contextmanager
def pretty_console(logger_names: Iterable[str]) -> Iterator[PrettyStdout]:
    """While open, stdout (and the named loggers' stdout handlers) go through `PrettyStdout`."""
    original = sys.stdout
    out = PrettyStdout(original)
    moved = [
        handler
        for name in logger_names
        for handler in logging.getLogger(name).handlers
        if isinstance(handler, logging.StreamHandler) and handler.stream is original
    ]
    for handler in moved:
        handler.setStream(out)
    sys.stdout = out
    try:
        yield out
    finally:
        sys.stdout = original
        for handler in moved:
            handler.setStream(original)
