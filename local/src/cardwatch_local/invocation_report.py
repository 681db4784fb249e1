"""Lambda's REPORT line after every local invocation, in the function's log group as on AWS:
duration, billed duration, memory size, max memory used, and Init Duration on the first
invocation of each function (a cold start). The `cold-starts` query reads these lines."""

from __future__ import annotations

import math
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cardwatch_local.function_logs import invocation_of
from cardwatch_local.runtime import Handler, load_handler


def report_line(
    request_id: str, duration_ms: float, memory_mb: int, init_ms: float | None = None
) -> str:
    """The REPORT line Lambda writes (tab-separated, as Logs Insights discovers its fields)."""
    used_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    parts = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {math.ceil(duration_ms)} ms",
        f"Memory Size: {memory_mb} MB",
        f"Max Memory Used: {used_mb} MB",
    ]
    if init_ms is not None:
        parts.append(f"Init Duration: {init_ms:.2f} ms")
    return "\t".join(parts) + "\t"


@dataclass
class InvocationReports:
    """Loads handlers (timing their init) and wraps them so that each call writes its REPORT.

    `write(function, line)` ships a line to the function's log stream. Max Memory Used is the
    local runtime's peak RSS: every function shares this process."""

    write: Callable[[str, str], None]
    init_ms: dict[str, float] = field(default_factory=dict)

    def load(self, function: str, handler_path: str) -> Handler:
        """The handler, imported now if it was not (its init time is the function's cold start)."""
        started = time.perf_counter()
        handler = load_handler(handler_path)
        self.init_ms.setdefault(function, (time.perf_counter() - started) * 1000)
        return self.wrap(function, handler)

    def wrap(self, function: str, handler: Handler) -> Handler:
        """`handler`, writing a REPORT line after each call (also when it raised); the call's
        log records go to `function`'s log group (`function_logs.invocation_of`)."""

        def invoke(event: dict[str, Any], context: Any) -> Any:
            started = time.perf_counter()
            try:
                with invocation_of(function):
                    return handler(event, context)
            finally:
                took = (time.perf_counter() - started) * 1000
                request = str(getattr(context, "aws_request_id", "local"))
                memory = int(getattr(context, "memory_limit_in_mb", 0))
                self.write(
                    function, report_line(request, took, memory, self.init_ms.pop(function, None))
                )

        return invoke
