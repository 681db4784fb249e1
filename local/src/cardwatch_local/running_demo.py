"""`cardwatch demo` against a running `cardwatch local up`, started in the background when none
runs. The demo is then only a client, as the terminal app is: it uploads CSV files and waits until
every row has a verdict or a reject and every fraud its alert. A second run reuses the stack and
its model, and simulates new transactions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress, TaskID

from cardwatch_local.emulator import LOCAL_CREDENTIALS
from cardwatch_local.pipeline_demo import (
    DemoSize,
    RunFacts,
    demo_files,
    print_summary,
    summarise,
    train_demo_model,
)
from cardwatch_local.serve import running_state, state_file, wait_for_state
from cardwatch_local.settings import LocalSettings
from cardwatch_local.stack import CLIENTS, LocalStack, read
from cardwatch_shared.alert_status import DIGEST_PENDING, SENT

START_TIMEOUT_S = 300.0
RUN_PREFIX = "incoming/demo-"
POLL_S = 2.0


class DemoError(RuntimeError):
    """The stack could not be started or reached."""


def ensure_stack(settings: LocalSettings, console: Console) -> tuple[dict[str, Any], bool]:
    """The running stack's state; starts `cardwatch local up` in the background if none runs."""
    state = running_state(settings)
    if state is not None:
        return state, False
    settings.local_state_dir.mkdir(parents=True, exist_ok=True)
    state_file(settings).unlink(missing_ok=True)  # left by an `up` that died: nothing runs
    log = settings.local_state_dir / "local-up.log"
    console.print(f"starting the local stack in the background (log: {log})")
    with log.open("w", encoding="utf-8") as out:
        # Our own CLI, detached (its own session) so the stack outlives the demo.
        child = subprocess.Popen(
            [sys.executable, "-m", "cardwatch_local.cli", "local", "up", "--no-model"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    state = wait_for_state(settings, START_TIMEOUT_S, child.pid, lambda: child.poll() is None)
    if state is not None:
        return state, True
    if child.poll() is None:
        raise DemoError(f"the local stack did not start in {START_TIMEOUT_S:g} s; see {log}")
    exited = f"`cardwatch local up` exited, code {child.returncode}; log: {log}"
    raise DemoError(f"{_last_line(log)} ({exited})")


def _last_line(log: Path) -> str:
    """The last line the `up` process wrote: its reason, when it stopped on an error."""
    lines = [line.strip() for line in log.read_text(encoding="utf-8").splitlines()]
    return next((line for line in reversed(lines) if line), "no output")


@contextmanager
def client_environment(endpoint: str) -> Iterator[dict[str, Any]]:
    """boto3 clients of this process pointed at the running stack; environment restored after."""
    from cardwatch_shared import aws_clients

    saved = dict(os.environ)
    os.environ.update(LOCAL_CREDENTIALS | {"CARDWATCH_AWS_ENDPOINT_URL": endpoint})
    aws_clients.client.cache_clear()
    try:
        yield {name: aws_clients.client(name) for name in CLIENTS}
    finally:
        os.environ.clear()
        os.environ.update(saved)
        aws_clients.client.cache_clear()


def current_model(s3: Any, bucket: str) -> str | None:
    """The promoted model's version, if any."""
    try:
        body = s3.get_object(Bucket=bucket, Key="models/current.json")["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    return str(json.loads(body)["version"])


def next_run(s3: Any, bucket: str) -> int:
    """1 + the number of earlier demo runs on this stack."""
    reply = s3.list_objects_v2(Bucket=bucket, Prefix=RUN_PREFIX, Delimiter="/")
    return len(reply.get("CommonPrefixes", [])) + 1


def upload(s3: Any, bucket: str, files: list[Path], run: int) -> dict[str, float]:
    """Each file under incoming/demo-<run>/, the way the terminal app uploads."""
    uploaded: dict[str, float] = {}
    for path in files:
        key = f"{RUN_PREFIX}{run}/{path.name}"
        s3.upload_file(str(path), bucket, key)
        uploaded[key] = time.time()
    return uploaded


@dataclass
class Progressed:
    """How far the run is: files ingested, verdicts written, alerts mailed."""

    reports: int = 0
    accepted: int = 0
    verdicts: int = 0
    flagged: int = 0
    alerted: int = 0
    pending_digest: int = 0

    def done(self, files: int, wait_for_digests: bool) -> bool:
        """Every file reported, every row a verdict, every fraud alerted (or, unless told to
        wait for digests, held for a storm digest that goes out when its window closes)."""
        held = 0 if wait_for_digests else self.pending_digest
        return (
            self.reports == files
            and self.verdicts == self.accepted
            and self.alerted + held == self.flagged
        )


def verdicts_of(dynamodb: Any, table: str, ids: set[str]) -> list[dict[str, Any]]:
    """This run's verdicts (id, decision, alert status) by BatchGetItem: the table keeps growing
    across runs, so a scan per poll would cost more every run."""
    wanted, found = sorted(ids), []
    for start in range(0, len(wanted), 100):
        keys = [{"transaction_id": {"S": i}} for i in wanted[start : start + 100]]
        request: dict[str, Any] = {
            table: {
                "Keys": keys,
                "ProjectionExpression": "transaction_id, is_fraud, alert_status",
            }
        }
        while request:
            reply = dynamodb.batch_get_item(RequestItems=request)
            found += reply["Responses"].get(table, [])
            request = reply.get("UnprocessedKeys") or {}
    return found


def measure(
    clients: dict[str, Any], stack: LocalStack, uploaded: dict[str, float], ids: set[str]
) -> Progressed:
    """Reports present, this run's verdicts, and its fraud verdicts whose alert went out."""
    s3, seen = clients["s3"], Progressed()
    for key in uploaded:
        report_key = "reports/" + key.removeprefix("incoming/") + ".json"
        try:
            body = s3.get_object(Bucket=stack.bucket, Key=report_key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            continue
        seen.reports += 1
        seen.accepted += int(json.loads(body)["rows_accepted"])
    ours = verdicts_of(clients["dynamodb"], stack.verdicts_table, ids)
    flagged = [v for v in ours if v["is_fraud"]["BOOL"]]
    seen.verdicts, seen.flagged = len(ours), len(flagged)
    status = [v.get("alert_status", {}).get("S") for v in flagged]
    seen.alerted, seen.pending_digest = status.count(SENT), status.count(DIGEST_PENDING)
    return seen


def wait_until_done(
    clients: dict[str, Any],
    stack: LocalStack,
    uploaded: dict[str, float],
    ids: set[str],
    *,
    progress: tuple[Progress, TaskID],
    timeout_s: float,
    wait_for_digests: bool = False,
) -> Progressed:
    """Poll until every row has a verdict or a reject and every fraud its alert (or timeout)."""
    bar, task = progress
    deadline = time.monotonic() + timeout_s
    while True:
        seen = measure(clients, stack, uploaded, ids)
        bar.update(
            task,
            description=(
                f"{seen.reports}/{len(uploaded)} files ingested, "
                f"{seen.verdicts}/{seen.accepted} verdicts, {seen.alerted}/{seen.flagged} alerts"
                f" ({seen.pending_digest} held for a storm digest)"
            ),
        )
        if seen.done(len(uploaded), wait_for_digests) or time.monotonic() > deadline:
            return seen
        time.sleep(POLL_S)


def run_against_stack(
    console: Console, size: DemoSize, summary_path: Path | None, wait_for_digests: bool = False
) -> int:
    """The demo as a client of the running stack; exit code 1 if anything was lost."""
    settings = LocalSettings()
    state, started = ensure_stack(settings, console)
    with client_environment(state["endpoint"]) as clients, Progress(console=console) as bar:
        task = bar.add_task(f"stack at {state['endpoint']}", total=None)
        stack = read(clients)
        version = current_model(clients["s3"], stack.bucket)
        if version is None:
            bar.update(task, description="training a small model")
            version = train_demo_model(stack, clients, size)
        run = next_run(clients["s3"], stack.bucket)
        files, labels = demo_files(settings.local_state_dir / "uploads" / f"run-{run}", size, run)
        began = time.time()
        uploaded = upload(clients["s3"], stack.bucket, files, run)
        ids = set(labels["transaction_id"].to_list())
        timeout = 240.0 + len(ids) / 10
        seen = wait_until_done(
            clients,
            stack,
            uploaded,
            ids,
            progress=(bar, task),
            timeout_s=timeout,
            wait_for_digests=wait_for_digests,
        )
        facts = RunFacts(labels, uploaded, seen.alerted, time.time() - began, seen.pending_digest)
        summary = summarise(stack, clients, facts)
    summary |= {"model_version": version, "run": run, "stack_reused": not started}
    mailbox = settings.local_state_dir / "mailbox"
    print_summary(console, summary, mailbox)
    if seen.pending_digest:
        console.print(
            f"{seen.pending_digest} alerts came in a storm and wait for their digest, mailed "
            "when the storm window closes (within about three minutes)"
        )
    path = summary_path or settings.local_state_dir / "demo-summary.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    console.print(f"summary: {path}")
    console.print(
        f"the stack keeps running at {state['endpoint']}: `cardwatch local down` stops it"
    )
    return 0 if summary["lost"] == 0 and summary["duplicate_verdicts"] == 0 else 1
