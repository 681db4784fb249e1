"""`cardwatch demo`: the whole pipeline on this machine, from upload to alert, with a summary.

Embedded AWS (moto server) with the SAM templates deployed into it, a model trained on one
simulation and served to another: files uploaded to S3, S3's EventBridge event delivered by the
upload rule (through its shadow SQS target) to the ingest handler, the scorer fed from Kinesis and
the notifier from the verdicts stream by `kinesis_consumer`'s event-source-mapping driver with the
deployed mappings' settings, alert emails written to a local mailbox.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from cardwatch_local import mailbox
from cardwatch_local import stack as local_stack
from cardwatch_local.emulator import embedded_aws
from cardwatch_local.leak_scan import scan_stack
from cardwatch_local.runtime import async_invokers, queue_url, stream_clients, stream_runner
from cardwatch_local.settings import LocalSettings
from cardwatch_local.stack import LocalStack

QUIET = {
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "AWS_LAMBDA_FUNCTION_NAME": "cardwatch-local",
    "CARDWATCH_STORM_THRESHOLD": "1000",
    "CARDWATCH_MODEL_REFRESH_S": "5",
}
BAD_ROWS = (
    {"card_number": "4111111111111112", "reason": "Luhn"},
    {"amount": "-12.00", "reason": "negative amount"},
    {"currency": "XYZ", "reason": "unknown currency"},
    {"timestamp": "2026-11-02T10:00:00", "reason": "no time zone"},
    {"merchant_name": "4000000000000002", "reason": "card number in a text field"},
)


@dataclass(frozen=True)
class DemoSize:
    """How much to simulate."""

    cards: int = 100
    days: int = 14
    train_cards: int = 500
    train_days: int = 30


def _clients() -> dict[str, Any]:
    from cardwatch_shared import aws_clients

    aws_clients.client.cache_clear()
    return {name: aws_clients.client(name) for name in local_stack.CLIENTS}


def train_demo_model(
    stack: LocalStack,
    clients: dict[str, Any],
    size: DemoSize,
    *,
    with_labels: bool = False,
    review_share: float | None = None,
) -> str:
    """Train a small model on a simulation and promote it in the stack's bucket (with the
    terminal-risk features when the run feeds labels). Its threshold meets a precision of 0.6
    on validation or, given `review_share`, alerts that share of the validation traffic."""
    from cardwatch_ml.bundle import BundleStore, build_bundle
    from cardwatch_ml.datasets import fingerprint, from_simulation
    from cardwatch_ml.simulator import SimulationConfig, simulate
    from cardwatch_ml.training import TrainConfig, train

    sim = simulate(
        SimulationConfig(
            cards=size.train_cards, terminals=2 * size.train_cards, days=size.train_days, seed=1
        )
    )
    frame = from_simulation(sim)
    cfg = TrainConfig(
        candidates=("hist_gradient_boosting",), with_labels=with_labels, target_precision=0.6
    )
    if review_share is not None:
        per_day = review_share * frame.height / size.train_days
        cfg = replace(cfg, target_precision=None, alert_budget_per_day=per_day)
    model = train(frame, cfg)
    bundle = build_bundle(model, fingerprint(frame))
    store = BundleStore(clients["s3"], stack.bucket)
    store.publish(bundle)
    store.promote(bundle.manifest.version)
    return bundle.manifest.version


def demo_files(folder: Path, size: DemoSize, run: int = 1) -> tuple[list[Path], pl.DataFrame]:
    """Daily upload files of a fresh simulation (plus malformed rows), and the truth; each run
    of a demo on the same stack simulates other cards and transactions."""
    from cardwatch_ml.simulator import SimulationConfig, simulate, write_upload

    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    sim = simulate(
        SimulationConfig(
            cards=size.cards,
            terminals=2 * size.cards,
            days=size.days,
            seed=6 + run,
            start=start - timedelta(days=size.days),
        )
    )
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    tx = sim.transactions.with_columns(pl.col("timestamp").dt.date().alias("_day"))
    for index, (day, part) in enumerate(tx.group_by("_day", maintain_order=True)):
        path = folder / f"transactions-{day[0]}.csv"
        labels = sim.labels.filter(pl.col("transaction_id").is_in(part["transaction_id"].implode()))
        write_upload(type(sim)(part.drop("_day"), labels), str(path), str(path) + ".labels")
        Path(str(path) + ".labels").unlink()
        if index == 0:
            _append_bad_rows(path, part.drop("_day").row(0, named=True))
        files.append(path)
    sim.labels.write_csv(folder / "labels.csv")  # kept beside, never uploaded: for backtests
    return files, sim.labels


def _append_bad_rows(path: Path, template: dict[str, Any]) -> None:
    import csv

    with path.open("a", newline="") as handle:
        writer = csv.writer(handle)
        for number, bad in enumerate(BAD_ROWS):
            row = {
                **template,
                "transaction_id": f"bad-{template['transaction_id']}-{number}",
                "timestamp": template["timestamp"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                "amount": f"{template['amount']:.2f}",
            }
            row.update({k: v for k, v in bad.items() if k != "reason"})
            writer.writerow(row.values())


def _ingest(stack: LocalStack, clients: dict[str, Any], files: list[Path]) -> dict[str, float]:
    """Upload each file; the upload rule's events reach ingest through the local runtime."""
    uploaded: dict[str, float] = {}
    for path in files:
        key = f"incoming/{path.name}"
        clients["s3"].put_object(Bucket=stack.bucket, Key=key, Body=path.read_bytes())
        uploaded[key] = time.time()
    for invoker in async_invokers(stack, clients["sqs"]).values():
        invoker.drain()
    return uploaded


async def _stream_functions(stack: LocalStack, sqs: Any) -> dict[str, dict[str, int]]:
    async with stream_clients() as clients:
        return await stream_runner(stack, clients, sqs).drain()


def _flush_digests() -> int:
    from cardwatch_notifier import handler as notifier

    live = notifier.notifier()
    live.now = lambda: datetime.now(UTC) + timedelta(minutes=5)
    return live.flush_digests()


def scan_table(dynamodb: Any, table: str, **scan: Any) -> list[dict[str, Any]]:
    """Every item of `table`, page by page; `scan` adds Scan's own arguments (a filter, a
    projection) so that the emulator serialises only what the caller reads."""
    items, kwargs = [], {"TableName": table, **scan}
    while True:
        reply = dynamodb.scan(**kwargs)
        items += reply["Items"]
        if "LastEvaluatedKey" not in reply:
            return items
        kwargs["ExclusiveStartKey"] = reply["LastEvaluatedKey"]


def _dlq_depth(clients: dict[str, Any], stack: LocalStack) -> dict[str, int]:
    out = {}
    for name, arn in stack.dlq_arns.items():
        url = queue_url(clients["sqs"], arn)
        attrs = clients["sqs"].get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        out[name] = int(attrs["Attributes"]["ApproximateNumberOfMessages"])
    return out


@dataclass(frozen=True)
class RunFacts:
    """What the run itself knows: upload times, alerts mailed (and alerts held for a storm
    digest that is not mailed yet), elapsed seconds, the truth."""

    labels: pl.DataFrame
    uploaded: dict[str, float]
    alerts: int
    elapsed: float
    alerts_pending_digest: int = 0


def _throughput(verdicts: list[dict[str, Any]], uploaded: dict[str, float]) -> float:
    """Verdicts per second from the first upload to the last verdict."""
    if not verdicts or not uploaded:
        return 0.0
    last = max(datetime.fromisoformat(v["scored_at"]["S"]).timestamp() for v in verdicts)
    span = last - min(uploaded.values())
    return len(verdicts) / span if span > 0 else 0.0


def _latencies(verdicts: list[dict[str, Any]], uploaded: dict[str, float]) -> list[float]:
    """Upload → verdict, per verdict, in milliseconds."""
    out = []
    for v in verdicts:
        key = "incoming/" + v["source_key"]["S"].split("/", 1)[1]
        out.append((datetime.fromisoformat(v["scored_at"]["S"]).timestamp() - uploaded[key]) * 1000)
    return out


def _reports(s3: Any, bucket: str, uploaded: dict[str, float]) -> list[dict[str, Any]]:
    keys = ["reports/" + k.removeprefix("incoming/") + ".json" for k in uploaded]
    return [json.loads(s3.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in keys]


def summarise(stack: LocalStack, clients: dict[str, Any], facts: RunFacts) -> dict[str, Any]:
    """The demo's figures, from what the stack holds."""
    labels, uploaded = facts.labels, facts.uploaded
    reports = _reports(clients["s3"], stack.bucket, uploaded)
    run_ids = set(labels["transaction_id"].to_list())
    verdicts = [
        v
        for v in scan_table(clients["dynamodb"], stack.verdicts_table)
        if v["transaction_id"]["S"] in run_ids
    ]
    ids = [v["transaction_id"]["S"] for v in verdicts]
    flagged = {v["transaction_id"]["S"] for v in verdicts if v["is_fraud"]["BOOL"]}
    truth = dict(zip(labels["transaction_id"].to_list(), labels["label"].to_list(), strict=True))
    frauds = {t for t, y in truth.items() if y == 1}
    accepted = sum(r["rows_accepted"] for r in reports)
    true_positive = len(flagged & frauds)
    latencies = _latencies(verdicts, uploaded)
    reasons: dict[str, int] = {}
    for report in reports:
        for reason, n in report["rejects_by_reason"].items():
            reasons[reason] = reasons.get(reason, 0) + n

    def percentile(q: float) -> float:
        return float(np.percentile(latencies, q)) if latencies else float("nan")

    return {
        "rows_uploaded": sum(r["rows_read"] for r in reports),
        "rows_accepted": accepted,
        "rows_rejected": sum(r["rows_rejected"] for r in reports),
        "rejected_by_reason": reasons,
        "verdicts": len(ids),
        "lost": accepted - len(set(ids)),
        "duplicate_verdicts": len(ids) - len(set(ids)),
        "frauds_true": len(frauds & set(ids)),
        "frauds_flagged": len(flagged),
        "true_positives": true_positive,
        "confusion": {
            "tp": true_positive,
            "fp": len(flagged - frauds),
            "fn": len((frauds & set(ids)) - flagged),
            "tn": len(set(ids) - frauds - flagged),
        },
        "precision": true_positive / len(flagged) if flagged else 0.0,
        "recall": true_positive / len(frauds & set(ids)) if frauds & set(ids) else 0.0,
        "alerts_sent": facts.alerts,
        "alerts_pending_digest": facts.alerts_pending_digest,
        "dlq_messages": sum(_dlq_depth(clients, stack).values()),
        "latency_ms": {"p50": percentile(50), "p95": percentile(95), "p99": percentile(99)},
        "throughput_tps": _throughput(verdicts, uploaded),
        "elapsed_s": facts.elapsed,
    }


HIDDEN = ("consumers", "leak_scan")  # in the JSON summary, too long for the table


def _cell(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.3f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def print_summary(console: Console, summary: dict[str, Any], mailbox: Path) -> None:
    """The summary as a table."""
    table = Table(title="cardwatch demo: upload → ingest → Kinesis → scorer → verdicts → alerts")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key, _cell(value))
    console.print(table)
    console.print(f"alert emails: {mailbox}")


@contextmanager
def _function_environment() -> Iterator[None]:
    """The functions' settings for the run; the caller's environment and caches restored after."""
    from cardwatch_ingest.observability import logger as ingest_logger
    from cardwatch_notifier.observability import logger as notifier_logger
    from cardwatch_scorer.observability import logger as scorer_logger

    saved = dict(os.environ)
    loggers = [ingest_logger, scorer_logger, notifier_logger]
    levels = [logger.log_level for logger in loggers]
    os.environ.update(QUIET)
    for logger in loggers:
        logger.setLevel("ERROR")  # the demo prints a summary; function logs stay quiet
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        _clear_function_caches()


def _clear_function_caches() -> None:
    from cardwatch_ingest import handler as ingest
    from cardwatch_ingest import labels_handler
    from cardwatch_notifier import handler as notifier
    from cardwatch_scorer import handler as scorer
    from cardwatch_shared import aws_clients

    caches = (ingest.runtime, labels_handler.runtime, notifier.notifier, scorer.runtime)
    for cached in (*caches, aws_clients.client):
        cached.cache_clear()


def run_pipeline_demo(console: Console, size: DemoSize, summary_path: Path | None) -> int:
    """Run the demo; exit code 1 if anything was lost or duplicated."""
    settings = LocalSettings()
    state = settings.local_state_dir
    with (
        _function_environment(),
        embedded_aws(settings) as endpoint,
        Progress(console=console) as progress,
    ):
        _clear_function_caches()
        task = progress.add_task("starting embedded AWS", total=7)
        clients = _clients()
        stack = local_stack.deploy(clients)
        os.environ.update(stack.variables | QUIET)
        progress.update(
            task, advance=1, description=f"stack deployed at {endpoint}; training a model"
        )
        version = train_demo_model(stack, clients, size)
        progress.update(task, advance=1, description=f"model {version} live; simulating uploads")
        files, labels = demo_files(state / "uploads", size)
        progress.update(task, advance=1, description=f"uploading {len(files)} files")
        started = time.time()
        uploaded = _ingest(stack, clients, files)
        progress.update(task, advance=1, description="scoring and alerting")
        stats = asyncio.run(_stream_functions(stack, clients["sqs"]))
        _flush_digests()
        elapsed = time.time() - started
        progress.update(task, advance=1, description="collecting emails")
        mails = mailbox.collect(
            clients["sqs"], stack.mailbox_url, state / "mailbox", stack.admin_emails
        )
        alerts = len(mails)
        summary = summarise(stack, clients, RunFacts(labels, uploaded, alerts, elapsed))
        summary["model_version"] = version
        leaks = scan_stack(clients, [state / "mailbox"])
        summary["card_number_leaks"] = len(leaks.leaks)
        summary["leak_scan"] = leaks.as_json()
        summary["consumers"] = stats
        progress.update(task, advance=2, description="done")
    print_summary(console, {k: v for k, v in summary.items() if k not in HIDDEN}, state / "mailbox")
    path = summary_path or state / "demo-summary.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    console.print(f"summary: {path}")
    ok = (
        summary["lost"] == 0
        and summary["duplicate_verdicts"] == 0
        and summary["card_number_leaks"] == 0
    )
    return 0 if ok else 1
