"""`cardwatch chaos`: the whole local pipeline on a large simulated upload while faults are
injected, then the proof: nothing lost, no verdict twice, card and terminal state equal to a
recomputation from the verdicts, and exactly one alert per fraud verdict.

The run owns an embedded AWS (moto in a child process), deploys the stack from its templates,
ingests in this process (with PutRecords throttling, a death halfway through a file and a file
uploaded twice), scores in a worker process it SIGKILLs and restarts, and notifies here (some
first publishes fail). `chaos_faults` says how each fault enters.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from rich.console import Console
from rich.table import Table

from cardwatch_local import dead_letters, mailbox
from cardwatch_local import stack as local_stack
from cardwatch_local.chaos_faults import ClientFaults, dying_ingest, verdict_writes_path
from cardwatch_local.chaos_plan import ChaosPlan, FaultLog
from cardwatch_local.chaos_worker import LEASE_TABLE
from cardwatch_local.emulator import embedded_aws
from cardwatch_local.leak_scan import scan_stack
from cardwatch_local.pipeline_demo import (
    QUIET,
    DemoSize,
    _clear_function_caches,
    _clients,
    _dlq_depth,
    _flush_digests,
    _function_environment,
    demo_files,
    scan_table,
    train_demo_model,
)
from cardwatch_local.runtime import StreamRunner, async_invokers, dlq_urls, stream_clients
from cardwatch_local.settings import LocalSettings
from cardwatch_local.stack import LocalStack
from cardwatch_shared.features.online import CardState
from cardwatch_shared.features.spec import SECONDS_PER_DAY
from kinesis_consumer.streams import SHARD_END, TRIM_HORIZON

TX_PER_CARD_DAY = 1.7  # what the simulator produces on average
DAYS = 14
TX_ID = re.compile(r"sim\d+-\d{8}")


def plan_environment(plan: ChaosPlan) -> dict[str, str]:
    """The plan as `CARDWATCH_CHAOS_*` variables, for the worker processes."""
    return {f"CARDWATCH_CHAOS_{k.upper()}": str(v) for k, v in plan.model_dump().items()}


@dataclass
class Worker:
    """One scorer consumer process."""

    log: Path
    process: subprocess.Popen[bytes] | None = None
    started: int = 0

    def start(self) -> None:
        """A fresh worker; it takes the shards over once the previous one's leases expire."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cardwatch_local.chaos_worker"],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=out,
            )
        self.started += 1

    def kill(self) -> None:
        """SIGKILL: no checkpoint, no lease released, whatever batch it is in."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Close its stdin: it checkpoints what it processed and releases its leases."""
        if self.process is None or self.process.poll() is not None:
            return
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Upload:
    """What was sent: the files, their good rows, and the ids ingest must accept."""

    files: list[Path]
    rows: dict[str, int]
    good_ids: set[str]
    rejected: int


def _upload(plan: ChaosPlan, folder: Path) -> Upload:
    cards = max(2, math.ceil(plan.transactions / (DAYS * TX_PER_CARD_DAY)))
    files, labels = demo_files(folder, DemoSize(cards=cards, days=DAYS), run=plan.seed)
    rows = {f"incoming/{p.name}": sum(1 for _ in p.open()) - 1 for p in files}
    good = set(labels["transaction_id"].to_list())
    return Upload(files, rows, good, sum(rows.values()) - len(good))


def _poison(stack: LocalStack, clients: dict[str, Any], count: int) -> None:
    if count:
        clients["kinesis"].put_records(
            StreamName=stack.stream,
            Records=[
                {"Data": b"\x00chaos: not a transaction\xff", "PartitionKey": f"poison-{i}"}
                for i in range(count)
            ],
        )


def _ingest(
    stack: LocalStack, clients: dict[str, Any], upload: Upload, faults: ClientFaults
) -> None:
    """Upload every file (and some twice); ingest runs through the local runtime."""
    invokers = async_invokers(stack, clients["sqs"])
    ingest = next(i for i in invokers.values() if "ingest" in i.trigger.function)
    doomed = dict(list(upload.rows.items())[: faults.plan.ingest_deaths])
    ingest.handler = dying_ingest(ingest._handler(), faults, doomed)
    for path in upload.files:
        body = path.read_bytes()
        clients["s3"].put_object(Bucket=stack.bucket, Key=f"incoming/{path.name}", Body=body)
    for invoker in invokers.values():
        invoker.drain()
    for path in upload.files[: faults.plan.duplicate_uploads]:
        clients["s3"].put_object(
            Bucket=stack.bucket, Key=f"incoming/{path.name}", Body=path.read_bytes()
        )
        faults.log.record("duplicate_upload", key=path.name)
    for invoker in invokers.values():
        invoker.drain()


# The emulator scores about 25 records a second, so a full-size run keeps records waiting for
# more than the scorer mapping's default hour: Lambda would dead-letter them as too old
# (RecordAgeExceeded), which is not a fault under test. The run deploys with the longest age.
STACK_OVERRIDES = {"MaximumRecordAgeSeconds": "86400"}


def _verdict_count(clients: dict[str, Any], stack: LocalStack) -> int | None:
    """The verdicts table's item count; None when moto fails to count under concurrent writes
    (its DescribeTable iterates the table while other requests write it)."""
    try:
        table = clients["dynamodb"].describe_table(TableName=stack.verdicts_table)["Table"]
    except ClientError:
        return None
    return int(table.get("ItemCount", 0))


def _drained(clients: dict[str, Any], stack: LocalStack) -> bool:
    """True when every shard's checkpoint stands at its last record: each batch is done (scored,
    or dead-lettered once its retries ran out), card updates included, since a checkpoint moves
    only after its batch. One GetRecords (Limit 1) after each checkpoint tells."""
    kinesis = clients["kinesis"]
    try:
        items = scan_table(clients["dynamodb"], LEASE_TABLE)
    except clients["dynamodb"].exceptions.ResourceNotFoundException:
        return False
    checkpoints = {item["shardId"]["S"]: item["checkpoint"]["S"] for item in items}
    for shard in kinesis.list_shards(StreamName=stack.stream)["Shards"]:
        checkpoint = checkpoints.get(shard["ShardId"])
        if checkpoint == SHARD_END:
            continue
        if checkpoint == TRIM_HORIZON:
            position: dict[str, str] = {"ShardIteratorType": TRIM_HORIZON}
        elif checkpoint is not None and checkpoint.isdigit():
            position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER"}
            position["StartingSequenceNumber"] = checkpoint
        else:
            return False  # no lease yet
        iterator = kinesis.get_shard_iterator(
            StreamName=stack.stream, ShardId=shard["ShardId"], **position
        )["ShardIterator"]
        if kinesis.get_records(ShardIterator=iterator, Limit=1)["Records"]:
            return False
    return True


@dataclass
class ScoringOutcome:
    """How the scoring phase went."""

    workers_started: int
    finished: bool
    stats: dict[str, dict[str, int]] = field(default_factory=dict)


async def _score_and_notify(
    stack: LocalStack,
    clients: dict[str, Any],
    plan: ChaosPlan,
    expected: int,
    deadline: float,
) -> ScoringOutcome:
    """Scorer workers (killed `worker_kills` times) and the notifier, until every verdict is in."""
    log = FaultLog(plan.log_path)
    worker = Worker(plan.log_path.with_name("chaos-worker.log"))
    worker.start()
    kill_at = [expected * (i + 1) // (plan.worker_kills + 1) for i in range(plan.worker_kills)]
    async with stream_clients() as async_clients:
        runner = StreamRunner(async_clients, dlq_urls(stack, clients["sqs"]))
        for trigger in stack.stream_triggers:
            if trigger.kind != "kinesis":
                runner.add(trigger)
        stop = asyncio.Event()
        notifying = asyncio.create_task(runner.run(stop))
        finished = False
        while time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            count = _verdict_count(clients, stack)
            if count is None:
                continue
            if kill_at and count >= kill_at[0]:
                worker.kill()
                log.record("worker_kill", verdicts_so_far=count)
                kill_at.pop(0)
                worker.start()
            parked = sum(_dlq_depth(clients, stack).values())
            poison_parked = plan.poison_records == 0 or parked > 0
            if count >= expected and poison_parked and _drained(clients, stack):
                finished = True
                break
        await asyncio.sleep(2.0)
        worker.stop()
        await asyncio.sleep(2.0)
        stop.set()
        await notifying
        stats = await runner.drain()
    return ScoringOutcome(worker.started, finished, stats)


def _state_check(items: list[dict[str, Any]], verdicts: list[dict[str, Any]]) -> dict[str, Any]:
    """Card and terminal counts in the state table against a recount from the verdicts."""
    cards: Counter[tuple[str, int]] = Counter()
    terminals: Counter[tuple[str, int]] = Counter()
    for v in verdicts:
        moment = datetime.fromisoformat(v["event_time"]["S"].replace("Z", "+00:00"))
        day = int(moment.timestamp()) // SECONDS_PER_DAY
        cards[(v["card_token"]["S"], day)] += 1
        terminals[(v["terminal_id"]["S"], day)] += 1
    stored: Counter[tuple[str, int]] = Counter()
    stored_terminals: Counter[tuple[str, int]] = Counter()
    terminal_ids: dict[tuple[str, int], set[str]] = {}
    for item in items:
        pk = item["pk"]["S"]
        if pk.startswith("card#"):
            days = CardState.from_dict(json.loads(item["state"]["S"])).days
            for day, (count, _total) in days.items():
                stored[(pk[5:], day)] += int(count)
        elif pk.startswith("terminal#"):
            for name, value in item.items():
                if name.startswith("n_"):
                    stored_terminals[(pk[9:], int(name[2:]))] += int(value["N"])
                if name.startswith("ids_"):
                    terminal_ids[(pk[9:], int(name[4:]))] = set(value["SS"])
    double = sum((stored - cards).values()) + sum((stored_terminals - terminals).values())
    missing = sum((cards - stored).values()) + sum((terminals - stored_terminals).values())
    wrong = [
        f"{kind} {key[:12]} day {day}: stored {have[(key, day)]}, recount {want[(key, day)]}"
        + (f", ids {len(terminal_ids.get((key, day), ()))}" if kind == "terminal" else "")
        for kind, have, want in (("card", stored, cards), ("terminal", stored_terminals, terminals))
        for key, day in sorted(set(have) | set(want))
        if have[(key, day)] != want[(key, day)]
    ]
    return {
        "state_double_counts": double,
        "state_missing_counts": missing,
        "state_wrong": wrong[:10],
    }


def _alert_check(folder: Path, fraud_ids: set[str]) -> dict[str, int]:
    """Each fraud verdict's id in exactly one email (single alert or digest)."""
    mailed: Counter[str] = Counter()
    for path in folder.glob("*.eml"):
        mailed.update(set(TX_ID.findall(path.read_text(encoding="utf-8"))) & fraud_ids)
    return {
        "alerts_sent": len(mailed),
        "alerts_duplicated": sum(n - 1 for n in mailed.values()),
        "alerts_missing": len(fraud_ids - set(mailed)),
    }


def summarise(
    stack: LocalStack,
    clients: dict[str, Any],
    plan: ChaosPlan,
    upload: Upload,
    mail_folder: Path,
) -> dict[str, Any]:
    """The chaos table, from what the stack holds and what the faults log says."""
    read = "transaction_id, is_fraud, event_time, card_token, terminal_id"
    verdicts = [
        v
        for v in scan_table(clients["dynamodb"], stack.verdicts_table, ProjectionExpression=read)
        if v["transaction_id"]["S"] in upload.good_ids
    ]
    ids = {v["transaction_id"]["S"] for v in verdicts}
    writes = Counter(e["tx"] for e in FaultLog(verdict_writes_path(plan)).entries())
    fraud_ids = {v["transaction_id"]["S"] for v in verdicts if v["is_fraud"]["BOOL"]}
    faults = Counter[str]()
    for entry in FaultLog(plan.log_path).entries():
        faults[entry["fault"]] += int(entry.get("n", 1))
    return {
        "sent": len(upload.good_ids),
        "verdicts": len(verdicts),
        "rejected": upload.rejected,
        "dlq": _dlq_depth(clients, stack),
        "dlq_reasons": dead_letters.reasons(
            clients["sqs"], list(dlq_urls(stack, clients["sqs"]).values())
        ),
        "lost": len(upload.good_ids - ids),
        "duplicate_verdicts": sum(n - 1 for n in writes.values() if n > 1),
        **_state_check(scan_table(clients["dynamodb"], stack.outputs["StateTableName"]), verdicts),
        "fraud_verdicts": len(fraud_ids),
        **_alert_check(mail_folder, fraud_ids),
        "faults": dict(sorted(faults.items())),
    }


def passed(summary: dict[str, Any]) -> bool:
    """The run's promise: nothing lost, nothing twice, state exact, one alert per fraud."""
    return bool(
        summary["lost"] == 0
        and summary["duplicate_verdicts"] == 0
        and summary["state_double_counts"] == 0
        and summary["state_missing_counts"] == 0
        and summary["alerts_sent"] == summary["fraud_verdicts"]
        and summary["alerts_duplicated"] == 0
        and summary["finished"]
        and summary["card_number_leaks"] == 0
    )


def print_summary(console: Console, summary: dict[str, Any]) -> None:
    """The chaos table."""
    table = Table(title="cardwatch chaos run")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = summary | {"leak_scan": summary["leak_scan"]["scanned"]}  # hits: in the JSON only
    for key, value in rows.items():
        shown = (
            ", ".join(f"{k}: {v:,}" for k, v in value.items())
            if isinstance(value, dict)
            else "; ".join(map(str, value)) or "none"
            if isinstance(value, list)
            else f"{value:,}" if isinstance(value, int) and not isinstance(value, bool)
            else str(value)
        )  # fmt: skip
        table.add_row(key, shown)
    console.print(table)
    verdict = "[green]PASSED[/]" if passed(summary) else "[red]FAILED[/]"
    console.print(
        f"{verdict}: lost, duplicates, state double counts, alerts and card-number leaks checked"
    )


def _faulty_pipeline(
    console: Console,
    stack: LocalStack,
    clients: dict[str, Any],
    upload: Upload,
    faults: ClientFaults,
) -> ScoringOutcome:
    """Ingest, score and notify with the faults installed; digests flushed at the end."""
    sent = f"{len(upload.good_ids):,} transactions in {len(upload.files)} files"
    console.print(f"ingesting {sent}")
    _ingest(stack, clients, upload, faults)
    console.print("scoring (worker kills, crashes, throttles, races) and notifying")
    deadline = time.monotonic() + max(600.0, len(upload.good_ids) / 10)
    plan = faults.plan
    outcome = asyncio.run(_score_and_notify(stack, clients, plan, len(upload.good_ids), deadline))
    _flush_digests()
    return outcome


def run_chaos(console: Console, plan: ChaosPlan, summary_path: Path | None) -> int:
    """The chaos run; exit code 1 unless every check holds."""
    settings = LocalSettings()
    folder = settings.local_state_dir / "chaos"
    folder.mkdir(parents=True, exist_ok=True)
    plan = plan.model_copy(update={"log_path": folder / "faults.jsonl"})
    for stale in (plan.log_path, verdict_writes_path(plan)):
        stale.unlink(missing_ok=True)
    started = time.monotonic()
    with _function_environment(), embedded_aws(settings):
        _clear_function_caches()
        clients = _clients()
        stack = local_stack.deploy(clients, overrides=STACK_OVERRIDES)
        os.environ.update(stack.variables | QUIET | plan_environment(plan))
        console.print(f"stack deployed; model {train_demo_model(stack, clients, DemoSize())} live")
        upload = _upload(plan, folder / "uploads")
        _poison(stack, clients, plan.poison_records)
        faults = ClientFaults(plan, FaultLog(plan.log_path), "run")
        uninstall = faults.install()
        try:
            outcome = _faulty_pipeline(console, stack, clients, upload, faults)
        finally:
            uninstall()  # the hooks live on the clients made meanwhile; their caches are cleared
            _clear_function_caches()
        mail_folder = folder / "mailbox"
        for old in mail_folder.glob("*.eml"):
            old.unlink()
        mailbox.collect(clients["sqs"], stack.mailbox_url, mail_folder, stack.admin_emails)
        summary = summarise(stack, clients, plan, upload, mail_folder)
        leaks = scan_stack(clients, [p for p in folder.iterdir() if p.name != "uploads"])
        summary["card_number_leaks"] = len(leaks.leaks)
        summary["leak_scan"] = leaks.as_json()
        summary["finished"] = outcome.finished
        summary["scorer_workers_started"] = outcome.workers_started
        summary["elapsed_s"] = round(time.monotonic() - started, 1)
    print_summary(console, summary)
    path = summary_path or folder / "summary.json"
    path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    console.print(f"summary: {path}")
    return 0 if passed(summary) else 1
