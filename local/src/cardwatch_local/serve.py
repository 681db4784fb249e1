"""`cardwatch local up`: the embedded AWS with the stack deployed, and the local Lambda runtime
serving every trigger until stopped. A state file tells `status` and `down` where it runs."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cardwatch_local import function_logs, mailbox
from cardwatch_local.console_logs import pretty_console
from cardwatch_local.emulator import embedded_aws
from cardwatch_local.invocation_report import InvocationReports
from cardwatch_local.runtime import (
    AsyncInvoker,
    async_invokers,
    stream_clients,
    stream_runner,
)
from cardwatch_local.settings import LocalSettings
from cardwatch_local.smtp_relay import relay_folder
from cardwatch_local.stack import CLIENTS, LocalStack, deploy

POLL_S = 0.5
RUNTIME_ENVIRONMENT = {
    "POWERTOOLS_METRICS_NAMESPACE": "cardwatch",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "AWS_LAMBDA_FUNCTION_NAME": "cardwatch-local",
}


def state_file(settings: LocalSettings) -> Path:
    """Where a running `local up` describes itself."""
    return settings.local_state_dir / "local.json"


def read_state(settings: LocalSettings) -> dict[str, Any] | None:
    """The running stack's state file, or None when nothing runs."""
    try:
        text = state_file(settings).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    state: dict[str, Any] = json.loads(text)
    return state


def write_state_file(settings: LocalSettings, state: dict[str, Any]) -> None:
    """Replace the state file atomically, so a reader never sees half of it."""
    path = state_file(settings)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(state, indent=2), encoding="utf-8")
    os.replace(partial, path)


def running_state(settings: LocalSettings) -> dict[str, Any] | None:
    """The state of a live `local up` (its process still exists), or None."""
    state = read_state(settings)
    if state is None:
        return None
    try:
        os.kill(int(state["pid"]), 0)
    except (ProcessLookupError, PermissionError):
        return None
    return state


@dataclass
class Served:
    """What `up` is doing, written to the state file while it runs."""

    endpoint: str
    stack: LocalStack
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    invokers: dict[str, AsyncInvoker] = field(default_factory=dict)
    consumers: dict[str, dict[str, int]] = field(default_factory=dict)
    mails: int = 0
    mails_relayed: int = 0
    relay_error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "pid": os.getpid(),
            "environment": self.stack.environment,
            "started_at": self.started_at,
            "bucket": self.stack.bucket,
            "invocations": {n: i.invocations for n, i in self.invokers.items()},
            "failures": {n: i.failures for n, i in self.invokers.items()},
            "consumers": self.consumers,
            "mails": self.mails,
            "mails_relayed": self.mails_relayed,
            "relay_error": self.relay_error,
        }


def _clients() -> dict[str, Any]:
    from cardwatch_shared import aws_clients

    aws_clients.client.cache_clear()
    return {name: aws_clients.client(name) for name in CLIENTS}


async def _every(seconds: float, stop: asyncio.Event, work: Callable[[], Any]) -> None:
    while not stop.is_set():
        await asyncio.to_thread(work)
        try:
            await asyncio.wait_for(stop.wait(), timeout=seconds)
        except TimeoutError:
            continue


async def _serve(
    served: Served, clients: dict[str, Any], settings: LocalSettings, stop: asyncio.Event
) -> None:
    stack = served.stack
    served.invokers = async_invokers(stack, clients["sqs"])
    shipper = function_logs.CloudWatchLogsHandler(
        clients["logs"],
        {
            service: f"cardwatch-{stack.environment}-{service}"
            for service in function_logs.SERVICE_LOGGERS
        },
    )
    reports = InvocationReports(shipper.write_line)
    for invoker in served.invokers.values():  # init, as Lambda does: the loggers exist from here
        invoker.handler = reports.load(invoker.trigger.function, invoker.trigger.handler)
    async with stream_clients() as async_clients:
        runner = stream_runner(stack, async_clients, clients["sqs"], reports.load)
        folder = settings.local_state_dir / "mailbox"

        relay = settings.smtp_relay()

        def deliver_mail() -> None:
            names = mailbox.collect(clients["sqs"], stack.mailbox_url, folder, stack.admin_emails)
            served.mails += len(names)
            if relay is not None:
                sent, errors = relay_folder(relay, folder, names)
                served.mails_relayed += sent
                served.relay_error = errors[-1] if errors else None

        function_logs.attach(shipper)
        console = (
            pretty_console(function_logs.SERVICE_LOGGERS)
            if settings.local_log_format == "pretty"
            else nullcontext()
        )

        def write_state() -> None:
            shipper.flush()
            served.consumers = {name: p.stats for name, p in runner.pollers.items()}
            write_state_file(settings, served.as_json())

        tasks = [runner.run(stop), _every(POLL_S, stop, deliver_mail), _every(1, stop, write_state)]
        for invoker in served.invokers.values():
            trigger = invoker.trigger
            if trigger.queue_url:
                tasks.append(_every(POLL_S, stop, invoker.drain))
            elif trigger.rate_s:
                fire = _scheduled(invoker)
                tasks.append(_every(trigger.rate_s, stop, fire))
        try:
            with console:
                await asyncio.gather(*tasks)
        finally:
            shipper.flush()
            function_logs.detach(shipper)


def _scheduled(invoker: AsyncInvoker) -> Callable[[], bool]:
    return lambda: invoker.invoke(invoker.scheduled_event())


def serve(
    settings: LocalSettings,
    stop: threading.Event,
    on_ready: Callable[[Served], None] | None = None,
    prepare: Callable[[LocalStack, dict[str, Any]], None] | None = None,
) -> None:
    """Start moto, deploy the templates, serve every trigger until `stop` is set."""
    saved = dict(os.environ)
    with embedded_aws(settings) as endpoint:
        try:
            clients = _clients()
            stack = deploy(clients)
            os.environ.update(stack.variables | RUNTIME_ENVIRONMENT)
            if prepare:
                prepare(stack, clients)
            served = Served(endpoint, stack)
            settings.local_state_dir.mkdir(parents=True, exist_ok=True)
            write_state_file(settings, served.as_json())
            if on_ready:
                on_ready(served)
            asyncio.run(_run_until(served, clients, settings, stop))
        finally:
            state_file(settings).unlink(missing_ok=True)
            os.environ.clear()
            os.environ.update(saved)


async def _run_until(
    served: Served, clients: dict[str, Any], settings: LocalSettings, stop: threading.Event
) -> None:
    done = asyncio.Event()

    async def watch() -> None:
        while not stop.is_set():
            await asyncio.sleep(0.2)
        done.set()

    await asyncio.gather(watch(), _serve(served, clients, settings, done))


def wait_for_state(
    settings: LocalSettings,
    timeout_s: float,
    pid: int | None = None,
    alive: Callable[[], bool] = lambda: True,
) -> dict[str, Any] | None:
    """The state file once `up` has written it (None after `timeout_s`, or as soon as `alive`
    says the `up` process has ended); with `pid`, only the one that process wrote: a file left
    by an earlier `up` that died names another process."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = read_state(settings)
        if state is not None and (pid is None or state.get("pid") == pid):
            return state
        if not alive():
            return None
        time.sleep(0.2)
    return None
