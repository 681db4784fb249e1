"""`cardwatch local up | down | status | reset` and `cardwatch dlq list | show`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cardwatch_local import dead_letters
from cardwatch_local.settings import LocalSettings

local_app = typer.Typer(help="The local stack: moto server, the SAM templates, the local runtime.")
dlq_app = typer.Typer(help="The dead-letter queues: what failed and why.")
logs_app = typer.Typer(help="Function logs of the local stack and the saved Logs Insights queries.")
console = Console()
FUNCTIONS = ("ingest", "scorer", "notifier", "digest")
_QUEUE_HELP = "queue name, e.g. cardwatch-local-scorer-dlq, or the start of its short name: scorer"


def _running(settings: LocalSettings) -> dict[str, Any] | None:
    from cardwatch_local.serve import running_state

    return running_state(settings)


def _require_running(settings: LocalSettings) -> dict[str, Any]:
    state = _running(settings)
    if state is None:
        console.print(
            "[yellow]the local stack is not running[/]: start it with `cardwatch local up`"
        )
        raise typer.Exit(code=1)
    return state


def _clients(endpoint: str) -> dict[str, Any]:
    import boto3

    from cardwatch_local.emulator import LOCAL_CREDENTIALS

    session = boto3.session.Session(
        aws_access_key_id=LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    names = ("cloudformation", "s3", "sqs", "logs", "dynamodb", "secretsmanager")
    return {name: session.client(name, endpoint_url=endpoint) for name in names}


def _ready_table(endpoint: str, bucket: str, environment: str) -> Table:
    table = Table(title=f"cardwatch local stack ({environment}) at {endpoint}", show_header=False)
    table.add_row("upload", f"aws --endpoint-url {endpoint} s3 cp FILE.csv s3://{bucket}/incoming/")
    verdicts = f"cardwatch-{environment}-verdicts"
    table.add_row(
        "verdicts", f"aws --endpoint-url {endpoint} dynamodb scan --table-name {verdicts}"
    )
    table.add_row("status", "cardwatch local status")
    table.add_row("stop", "Ctrl-C here, or cardwatch local down")
    return table


@local_app.command()
def up(
    model: Annotated[bool, typer.Option(help="train and promote a small demo model")] = True,
) -> None:
    """Start moto, deploy the templates, and serve every function's trigger until stopped."""
    from cardwatch_local.serve import Served, serve
    from cardwatch_local.stack import LocalStack

    settings = LocalSettings()
    state = _running(settings)
    if state is not None:
        console.print(f"[yellow]already running[/] at {state['endpoint']} (pid {state['pid']})")
        raise typer.Exit(code=1)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    def prepare(stack: LocalStack, clients: dict[str, Any]) -> None:
        if model:
            from cardwatch_local.pipeline_demo import DemoSize, train_demo_model

            console.print("training a small demo model …")
            version = train_demo_model(stack, clients, DemoSize())
            console.print(f"model {version} promoted")

    def ready(served: Served) -> None:
        console.print(_ready_table(served.endpoint, served.stack.bucket, served.stack.environment))

    serve(settings, stop, on_ready=ready, prepare=prepare)
    console.print("stopped")


@local_app.command()
def down(
    timeout_s: Annotated[float, typer.Option(help="seconds to wait for it to stop")] = 15,
) -> None:
    """Stop a running `cardwatch local up`."""
    settings = LocalSettings()
    state = _require_running(settings)
    os.kill(int(state["pid"]), signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _running(settings) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _running(settings):
        console.print(f"[red]pid {state['pid']} did not stop in {timeout_s:g} s[/]")
        raise typer.Exit(code=1)
    console.print("stopped")


def _queue_urls(sqs: Any) -> dict[str, str]:
    """Each queue's URL by its name."""
    return {url.rsplit("/", 1)[1]: url for url in sqs.list_queues().get("QueueUrls", [])}


def _queue_depths(sqs: Any) -> dict[str, int]:
    depths = {}
    for name, url in _queue_urls(sqs).items():
        attrs = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        depths[name] = int(attrs["Attributes"]["ApproximateNumberOfMessages"])
    return depths


def _dead_letter_queue(sqs: Any, state: dict[str, Any], queue: str) -> tuple[str, str]:
    """(name, URL) of a dead-letter queue named in full or by the start of its short name
    (`scorer`, `ingest`); an unknown or ambiguous name is a usage error that lists the queues."""
    urls = {name: url for name, url in _queue_urls(sqs).items() if name.endswith("-dlq")}
    prefix = f"cardwatch-{state['environment']}-"
    matches = [n for n in urls if n == queue or n.removeprefix(prefix).startswith(queue)]
    if len(matches) == 1:
        return matches[0], urls[matches[0]]
    console.print(
        f"[red]no dead-letter queue {escape(queue)}[/]; the queues: {', '.join(sorted(urls))}",
        soft_wrap=True,
    )
    raise typer.Exit(code=2)


def _current_model(s3: Any, bucket: str) -> str:
    try:
        body = s3.get_object(Bucket=bucket, Key="models/current.json")["Body"].read()
    except s3.exceptions.NoSuchKey:
        return "none promoted (the scorer dead-letters its batches)"
    return str(json.loads(body).get("version", "?"))


def _score_drift(clients: dict[str, Any], bucket: str) -> str:
    """Today's PSI of the live model's scores against its validation scores."""
    import time

    from cardwatch_local.stack import stack_name
    from cardwatch_shared.drift_reading import live_manifest, read_drift

    manifest = live_manifest(clients["s3"], bucket)
    if manifest is None:
        return "no live model"
    core = clients["cloudformation"].describe_stacks(StackName=stack_name("core"))["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in core["Outputs"]}
    drift = read_drift(clients["dynamodb"], outputs["StateTableName"], manifest, time.time())
    if drift is None:
        return f"{manifest.version} has no reference scores (retrain it to track drift)"
    return drift.describe().removeprefix("score drift: ")


@local_app.command()
def status() -> None:
    """Endpoint, stacks, current model, queue depths, and what the consumers have done."""
    from cardwatch_local.moto_gaps import all_gaps

    settings = LocalSettings()
    state = _require_running(settings)
    clients = _clients(state["endpoint"])
    table = Table(title="cardwatch local stack", show_header=False)
    table.add_row("endpoint", state["endpoint"])
    table.add_row("pid", str(state["pid"]))
    table.add_row("started", state["started_at"])
    for stack in clients["cloudformation"].describe_stacks()["Stacks"]:
        table.add_row(f"stack {stack['StackName']}", stack["StackStatus"])
    table.add_row("model", _current_model(clients["s3"], state["bucket"]))
    table.add_row("score drift", _score_drift(clients, state["bucket"]))
    for name, depth in sorted(_queue_depths(clients["sqs"]).items()):
        table.add_row(f"queue {name}", str(depth))
    for name, stats in state.get("consumers", {}).items():
        summary = ", ".join(f"{k} {v}" for k, v in stats.items())
        table.add_row(f"consumer {name}", summary or "idle")
    for name, count in state.get("invocations", {}).items():
        table.add_row(f"rule {name}", f"{count} invocations, {state['failures'][name]} failed")
    table.add_row(
        "alert emails", f"{state.get('mails', 0)} in {settings.local_state_dir / 'mailbox'}"
    )
    if settings.local_smtp_host:
        relayed = f"{state.get('mails_relayed', 0)} relayed to {settings.local_smtp_host}"
        error = state.get("relay_error")
        table.add_row("smtp relay", relayed + (f"; last error: {error}" if error else ""))
    console.print(table)
    gaps = Table(title="what the emulator lacks, and what runs instead")
    for column in ("what", "why", "instead"):
        gaps.add_column(column)
    for gap in all_gaps():
        gaps.add_row(gap.subject, gap.why, gap.instead)
    console.print(gaps)


@local_app.command()
def reset() -> None:
    """Stop the stack if it runs and forget local state (mailbox, state file)."""
    settings = LocalSettings()
    if _running(settings):
        down(timeout_s=15)
    for name in ("mailbox", "local.json"):
        path = settings.local_state_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    console.print(f"reset: {settings.local_state_dir} holds no stack state")


@local_app.command()
def scan() -> None:
    """Search the running stack (S3 outside incoming/, DynamoDB, CloudWatch Logs, SQS) and the
    local files (mails, console log; not the raw `uploads/`) for card numbers; exit 1 on a hit."""
    from cardwatch_local.leak_scan import scan_stack

    settings = LocalSettings()
    state = _require_running(settings)
    files = [p for p in settings.local_state_dir.iterdir() if p.name != "uploads"]
    found = scan_stack(_clients(state["endpoint"]), files)
    table = Table(title="card-number leak scan")
    table.add_column("searched")
    table.add_column("count", justify="right")
    for source, count in sorted(found.scanned.items()):
        table.add_row(source, f"{count:,}")
    console.print(table)
    for leak in found.leaks[:20]:
        console.print(f"[red]{leak.kind}[/] in {escape(leak.where)}: {escape(leak.context)}")
    if found.leaks:
        console.print(f"[red]{len(found.leaks)} leak(s)[/]")
        raise typer.Exit(code=1)
    console.print("[green]no card number and no CVV found[/]")


@dlq_app.command("list")
def list_queues() -> None:
    """Every dead-letter queue of the running stack and how many messages wait in it."""
    state = _require_running(LocalSettings())
    depths = _queue_depths(_clients(state["endpoint"])["sqs"])
    table = Table(title="dead-letter queues")
    table.add_column("queue")
    table.add_column("messages", justify="right")
    for name, depth in sorted(depths.items()):
        if name.endswith("-dlq"):
            table.add_row(name, str(depth))
    console.print(table)


@dlq_app.command()
def show(
    queue: Annotated[str, typer.Argument(help=_QUEUE_HELP)],
    limit: Annotated[int, typer.Option(help="messages to show")] = 10,
) -> None:
    """The messages of one dead-letter queue with their reasons (left in the queue)."""
    state = _require_running(LocalSettings())
    sqs = _clients(state["endpoint"])["sqs"]
    name, url = _dead_letter_queue(sqs, state, queue)
    reply = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=min(limit, 10), VisibilityTimeout=0
    )
    messages = reply.get("Messages", [])
    if not messages:
        console.print(f"{escape(name)}: no messages waiting")
        return
    table = Table(title=name)
    table.add_column("sent")
    table.add_column("reason")
    table.add_column("batch (batch_id in the logs)")
    for message in messages:
        body = json.loads(message["Body"])
        batch = dead_letters.batch_id(body) or ""
        table.add_row(str(body.get("timestamp", "")), dead_letters.reason(body), batch)
    console.print(table)


def _function_name(state: dict[str, Any], function: str) -> str:
    prefix = f"cardwatch-{state['environment']}-"
    return function if function.startswith(prefix) else prefix + function


@logs_app.command("tail")
def tail_logs(
    function: Annotated[str, typer.Argument(help=", ".join(FUNCTIONS))],
    minutes: Annotated[float, typer.Option(help="how far back")] = 60,
    limit: Annotated[int, typer.Option(help="at most this many lines (the newest)")] = 50,
) -> None:
    """The function's recent log lines from the local CloudWatch Logs."""
    from cardwatch_local.function_logs import tail

    state = _require_running(LocalSettings())
    full = _function_name(state, function)
    if full not in {_function_name(state, known) for known in FUNCTIONS}:
        console.print(
            f"[red]no function {escape(function)}[/]; the functions: {', '.join(FUNCTIONS)}"
        )
        raise typer.Exit(code=2)
    logs = _clients(state["endpoint"])["logs"]
    since = int((time.time() - minutes * 60) * 1000)
    try:
        events = tail(logs, full, since)
    except logs.exceptions.ResourceNotFoundException:
        events = []  # its log group is made with its first line
    if not events:
        console.print(f"no log lines from {full} in the last {minutes:g} minutes")
    for event in events[-limit:]:
        try:
            line = json.loads(event["message"])
        except ValueError:
            console.print(event["message"], markup=False, highlight=False)
            continue
        level, message = line.pop("level", ""), line.pop("message", "")
        stamp = line.pop("timestamp", "")
        extra = {k: v for k, v in line.items() if not k.startswith(("function_", "cold_start"))}
        text = f"{stamp} {level:<7} {message} {json.dumps(extra, default=str)}"
        console.print(text, markup=False, highlight=False)


def _shown(column: str, value: Any) -> str:
    if column == "@timestamp" and isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@logs_app.command("query")
def query_logs(
    name: Annotated[str, typer.Argument(help="a saved query (infra/sam/queries/NAME.query)")],
    minutes: Annotated[float, typer.Option(help="how far back")] = 60,
) -> None:
    """Run a saved Logs Insights query over the local function logs."""
    from cardwatch_local.function_logs import log_group, tail
    from cardwatch_local.logs_insights import event_row, run_query, saved_queries

    queries = saved_queries()
    if name not in queries:
        console.print(f"[red]no saved query {name}[/]; saved: {', '.join(queries)}")
        raise typer.Exit(code=2)
    state = _require_running(LocalSettings())
    logs = _clients(state["endpoint"])["logs"]
    since = int((time.time() - minutes * 60) * 1000)
    rows = []
    for function in FUNCTIONS:
        full = _function_name(state, function)
        try:
            events = tail(logs, full, since)
        except logs.exceptions.ResourceNotFoundException:
            continue
        rows += [event_row(e, log_group(full)) for e in events]
    results = run_query(queries[name], rows)
    table = Table(title=f"{name}: {len(results)} rows over {len(rows)} log lines")
    columns = list(results[0]) if results else []
    for column in columns:
        table.add_column(column)
    for result in results:
        table.add_row(*(_shown(c, result[c]) for c in columns))
    console.print(table)


@dlq_app.command("redrive")
def redrive_queue(
    queue: Annotated[str, typer.Argument(help=_QUEUE_HELP)],
) -> None:
    """Send each message back where it failed; what fails again stays, with the reason."""
    from cardwatch_local.dlq_redrive import Redriver, redrive
    from cardwatch_local.running_demo import client_environment
    from cardwatch_local.serve import RUNTIME_ENVIRONMENT
    from cardwatch_local.stack import read

    state = _require_running(LocalSettings())
    saved = dict(os.environ)
    try:
        with client_environment(state["endpoint"]) as clients:
            stack = read(clients, state["environment"])
            os.environ.update(stack.variables | RUNTIME_ENVIRONMENT)
            name, url = _dead_letter_queue(clients["sqs"], state, queue)
            result = redrive(clients["sqs"], url, Redriver(stack, clients).one)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    console.print(f"{name}: {result.redriven} redriven, {len(result.kept)} kept")
    for why in result.kept:
        console.print(f"  kept: {why}", markup=False)
    if result.kept:
        raise typer.Exit(code=1)
