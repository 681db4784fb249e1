"""Function logs of the local runtime in CloudWatch Logs, as on AWS: each handler's Powertools
JSON lines under `/aws/lambda/<function>`, and read back for `cardwatch logs tail`."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

SERVICE_LOGGERS = ("ingest", "scorer", "notifier")
# The function whose invocation runs in this thread, set by the runtime around each call. A
# line's own `function_name` is a logger-wide key: two functions share the ingest logger (uploads
# and labels), and a concurrent invocation of the other one rewrites it.
_invoking: ContextVar[str] = ContextVar("invoking", default="")


@contextlib.contextmanager
def invocation_of(function: str) -> Iterator[None]:
    """Inside the block, this thread's log records belong to `function`."""
    token = _invoking.set(function)
    try:
        yield
    finally:
        _invoking.reset(token)


def log_group(function: str) -> str:
    """The log group Lambda writes `function`'s logs to."""
    return f"/aws/lambda/{function}"


class CloudWatchLogsHandler(logging.Handler):
    """Buffers formatted records per function; `flush` ships them with PutLogEvents.

    The function is the one invoked in the record's thread (`invocation_of`), else the record's
    `function_name` (Powertools adds it inside a handler); records outside an invocation go to
    the service's default function."""

    def __init__(self, logs: Any, default_function: dict[str, str]) -> None:
        super().__init__()
        self._logs = logs
        self._default = default_function
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._streams: dict[str, str] = {}
        self._formatters: dict[str, logging.Formatter] = {}
        self._lock = threading.Lock()

    def use_formatter(self, logger_name: str, formatter: logging.Formatter) -> None:
        """Format `logger_name`'s records as its own handler does (it holds the appended keys)."""
        self._formatters[logger_name] = formatter

    def emit(self, record: logging.LogRecord) -> None:
        formatter = self._formatters.get(record.name)
        if formatter is not None:
            line = formatter.format(record)
        else:
            plain = {"level": record.levelname, "message": record.getMessage()}
            line = json.dumps(plain | {"service": record.name})
        function = _invoking.get() or _named_function(line) or self._default.get(record.name, "")
        if not function:
            return
        event = {"timestamp": int(record.created * 1000), "message": line}
        with self._lock:
            self._pending.setdefault(function, []).append(event)

    def write_line(self, function: str, line: str) -> None:
        """A line written by the runtime itself (Lambda's REPORT), not by the function's logger."""
        event = {"timestamp": int(time.time() * 1000), "message": line}
        with self._lock:
            self._pending.setdefault(function, []).append(event)

    def _stream(self, function: str) -> str:
        if function not in self._streams:
            day = datetime.now(UTC).strftime("%Y/%m/%d")
            name = f"{day}/[$LATEST]{uuid.uuid4().hex}"
            group = log_group(function)
            with contextlib.suppress(self._logs.exceptions.ResourceAlreadyExistsException):
                self._logs.create_log_group(logGroupName=group)
            self._logs.create_log_stream(logGroupName=group, logStreamName=name)
            self._streams[function] = name
        return self._streams[function]

    def flush(self) -> None:
        """Ship what is buffered (in time order, per function)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        for function, events in pending.items():
            events.sort(key=lambda e: e["timestamp"])
            self._logs.put_log_events(
                logGroupName=log_group(function),
                logStreamName=self._stream(function),
                logEvents=events,
            )


def _named_function(line: str) -> str:
    try:
        return str(json.loads(line).get("function_name") or "")
    except ValueError:
        return ""


def attach(handler: CloudWatchLogsHandler) -> None:
    """Send the three services' loggers to `handler` too, formatted as they format for stdout."""
    for name in SERVICE_LOGGERS:
        target = logging.getLogger(name)
        formatter = next((h.formatter for h in target.handlers if h.formatter), None)
        if formatter is not None:
            handler.use_formatter(name, formatter)
        target.addHandler(handler)


def detach(handler: CloudWatchLogsHandler) -> None:
    """Undo `attach`."""
    for name in SERVICE_LOGGERS:
        logging.getLogger(name).removeHandler(handler)


def tail(logs: Any, function: str, since_ms: int | None = None) -> list[dict[str, Any]]:
    """Every event of the function since `since_ms` (default: the last hour), oldest first."""
    start = since_ms if since_ms is not None else int((time.time() - 3600) * 1000)
    kwargs: dict[str, Any] = {"logGroupName": log_group(function), "startTime": start}
    events: list[dict[str, Any]] = []
    while True:
        reply = logs.filter_log_events(**kwargs)
        events += reply.get("events", [])
        token = reply.get("nextToken")
        if not token or not reply.get("events"):
            return sorted(events, key=lambda e: e["timestamp"])
        kwargs["nextToken"] = token
