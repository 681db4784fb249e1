"""`cardwatch demo --delayed-labels`: the feedback loop over simulated days.

The stack goes live without a label feed, so its model is trained without the label features.
Each simulated day is uploaded and scored, then the outcomes that became known that day are
uploaded as a labels CSV under `labels/`: chargebacks of frauds a few days after each (2 to 9
days), and analysts' `legit` decisions on the previous day's false alerts. Labels reach the labels
function through its rule and move the terminals' fraud counts. Every week a candidate is retrained
from the store with the labels known so far (terminal-risk features included) and goes live only
if it beats the live model on the recent window; the tables show each day's and week's alert
precision and recall, and which model scored them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from cardwatch_local import stack as local_stack
from cardwatch_local.emulator import embedded_aws
from cardwatch_local.feedback_retraining import REVIEW_SHARE, RetrainStep, retrain_step
from cardwatch_local.leak_scan import LeakScan, scan_stack
from cardwatch_local.pipeline_demo import (
    QUIET,
    DemoSize,
    _clear_function_caches,
    _clients,
    _function_environment,
    _ingest,
    demo_files,
    scan_table,
    train_demo_model,
)
from cardwatch_local.runtime import async_invokers, stream_clients, stream_runner
from cardwatch_local.settings import LocalSettings
from cardwatch_local.stack import LocalStack
from cardwatch_shared.state_keys import terminal_key

CHARGEBACK_DAYS = (2, 9)  # a fraud's chargeback arrives this many days later (inclusive)
WEEK = 7
LIVE_MODEL_EVERY_BATCH = {"CARDWATCH_MODEL_REFRESH_S": "0"}  # a promotion counts from the next day


def chargeback_delay(transaction_id: str) -> int:
    """Days from a fraud to its chargeback: fixed per transaction, spread over the range."""
    low, high = CHARGEBACK_DAYS
    digest = hashlib.sha256(transaction_id.encode()).digest()
    return low + digest[0] % (high - low + 1)


@dataclass
class Timeline:
    """The truth of the run: each transaction's day, label and when its chargeback arrives."""

    truth: pl.DataFrame  # transaction_id, day, label
    sent: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, files: list[Path], labels: pl.DataFrame) -> Timeline:
        days = pl.concat(
            pl.read_csv(f, columns=["transaction_id", "timestamp"], infer_schema=False)
            for f in files
        ).with_columns(
            pl.col("timestamp")
            .str.to_datetime(strict=False, time_zone="UTC")
            .dt.date()
            .alias("day")
        )
        truth = days.join(labels.select("transaction_id", "label"), on="transaction_id")
        return cls(truth.select("transaction_id", "day", "label"))

    def known_by(self, day: date, flagged: dict[str, bool]) -> list[tuple[str, str, str, datetime]]:
        """Labels that became known on `day` (not sent before): (id, label, source, known_at)."""
        out: list[tuple[str, str, str, datetime]] = []
        for tx, tx_day, label in self.truth.iter_rows():
            if tx in self.sent:
                continue
            if label == 1 and tx_day + timedelta(days=chargeback_delay(tx)) <= day:
                out.append(
                    (tx, "fraud", "chargeback", _noon(tx_day + timedelta(chargeback_delay(tx))))
                )
            elif label == 0 and flagged.get(tx) and tx_day + timedelta(days=1) <= day:
                out.append((tx, "legit", "analyst", _noon(tx_day + timedelta(days=1))))
        self.sent |= {tx for tx, *_ in out}
        return out


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def _labels_csv(rows: list[tuple[str, str, str, datetime]]) -> bytes:
    lines = ["transaction_id,label,source,known_at"]
    lines += [f"{tx},{label},{source},{known.isoformat()}" for tx, label, source, known in rows]
    return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class VerdictView:
    """What an arm reads of its verdicts at the end, in one scan: decisions, scores, and how
    many verdicts had a terminal with confirmed fraud in its window (the labels at work)."""

    flagged: dict[str, bool]
    scores: dict[str, float]
    models: dict[str, str]
    with_terminal_risk: int

    @classmethod
    def read(cls, clients: dict[str, Any], stack: LocalStack) -> VerdictView:
        items = scan_table(
            clients["dynamodb"],
            stack.verdicts_table,
            ProjectionExpression="transaction_id, is_fraud, score, features, model_version",
        )
        risks = (json.loads(i["features"]["S"]).get("terminal_risk_30d", 0.0) for i in items)
        return cls(
            flagged={i["transaction_id"]["S"]: i["is_fraud"]["BOOL"] for i in items},
            scores={i["transaction_id"]["S"]: float(i["score"]["N"]) for i in items},
            models={i["transaction_id"]["S"]: i["model_version"]["S"] for i in items},
            with_terminal_risk=sum(1 for risk in risks if risk and risk > 0),
        )


def terminals_with_known_fraud(dynamodb: Any, state_table: str) -> int:
    """Terminals whose state holds a confirmed fraud on some day: where the labels landed."""
    items = scan_table(
        dynamodb,
        state_table,
        FilterExpression="begins_with(pk, :t)",
        ExpressionAttributeValues={":t": {"S": terminal_key("")}},
    )
    return sum(
        1
        for item in items
        if any(k.startswith("f_") and float(v["N"]) > 0 for k, v in item.items())
    )


def _alerts(clients: dict[str, Any], stack: LocalStack) -> dict[str, bool]:
    """The verdicts flagged fraud so far (the day loop's read: only alerts get analyst labels)."""
    items = scan_table(
        clients["dynamodb"],
        stack.verdicts_table,
        FilterExpression="is_fraud = :yes",
        ProjectionExpression="transaction_id",
        ExpressionAttributeValues={":yes": {"BOOL": True}},
    )
    return {i["transaction_id"]["S"]: True for i in items}


def _send_labels(
    stack: LocalStack,
    clients: dict[str, Any],
    day: date,
    rows: list[tuple[str, str, str, datetime]],
) -> dict[str, Any]:
    """Upload the day's labels CSV; the labels rule invokes the labels function; its report."""
    key = f"labels/outcomes-{day.isoformat()}.csv"
    clients["s3"].put_object(Bucket=stack.bucket, Key=key, Body=_labels_csv(rows))
    for invoker in async_invokers(stack, clients["sqs"]).values():
        invoker.drain()
    report_key = "reports/" + key + ".json"
    body = clients["s3"].get_object(Bucket=stack.bucket, Key=report_key)["Body"].read()
    report: dict[str, Any] = json.loads(body)
    return report


def day_rows(
    timeline: Timeline,
    flagged: dict[str, bool],
    labels_sent: dict[date, int],
    models: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Per event day: transactions, frauds, alerts, precision and recall of the alerts (and,
    given each verdict's model version, the model that scored most of the day)."""
    frame = timeline.truth.with_columns(
        pl.col("transaction_id").replace_strict(flagged, default=None).alias("flagged"),
        pl.col("transaction_id").replace_strict(models or {}, default=None).alias("model"),
    ).filter(pl.col("flagged").is_not_null())
    rows = []
    for (day,), part in frame.group_by("day", maintain_order=True):
        alerts = part.filter(pl.col("flagged"))
        hits = int(alerts["label"].sum())
        frauds = int(part["label"].sum())
        rows.append(
            {
                "day": day.isoformat(),
                "transactions": part.height,
                "frauds": frauds,
                "alerts": alerts.height,
                "true_alerts": hits,
                "precision": hits / alerts.height if alerts.height else None,
                "recall": hits / frauds if frauds else None,
                "labels_known": sum(n for d, n in labels_sent.items() if d < day),
            }
        )
        if models is not None:
            rows[-1]["model"] = _short(part["model"].drop_nulls().mode().sort().first())
    return sorted(rows, key=lambda r: r["day"])


def _short(version: object) -> str | None:
    """A model version's timestamp part (versions are `<UTC timestamp>-<estimator>`)."""
    return str(version).split("-")[0] if version is not None else None


def weekly(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The days grouped by week of the run: alert precision and recall per week."""
    weeks = []
    for start in range(0, len(rows), WEEK):
        part = rows[start : start + WEEK]
        alerts = sum(r["alerts"] for r in part)
        hits = sum(r["true_alerts"] for r in part)
        frauds = sum(r["frauds"] for r in part)
        weeks.append(
            {
                "week": start // WEEK + 1,
                "days": f"{part[0]['day']} … {part[-1]['day']}",
                "transactions": sum(r["transactions"] for r in part),
                "frauds": frauds,
                "alerts": alerts,
                "precision": hits / alerts if alerts else None,
                "recall": hits / frauds if frauds else None,
                "labels_known_at_start": part[0]["labels_known"],
            }
        )
        if "model" in part[0]:
            weeks[-1]["models"] = " → ".join(dict.fromkeys(str(r["model"]) for r in part))
    return weeks


def _table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title)
    for column in rows[0]:
        table.add_column(column, justify="left" if column in {"day", "days"} else "right")
    for row in rows:
        table.add_row(*(_cell(v) for v in row.values()))
    return table


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


@dataclass
class _Run:
    """What the day loop produced."""

    labels_sent: dict[date, int] = field(default_factory=dict)
    refused: int = 0
    retrains: list[RetrainStep] = field(default_factory=list)


async def _days(
    stack: LocalStack,
    clients: dict[str, Any],
    files: list[Path],
    timeline: Timeline,
    progress: Progress,
    *,
    withhold: bool,
) -> _Run:
    """Each day: upload, score and alert (one stream runner, so its position carries over),
    then upload the labels that became known that day, unless they are withheld; at the end of
    each week but the last, retrain from the store."""
    run = _Run()
    task = progress.add_task("withheld" if withhold else "day by day", total=len(files))
    async with stream_clients() as async_clients:
        runner = stream_runner(stack, async_clients, clients["sqs"])
        for index, path in enumerate(files, start=1):
            day = date.fromisoformat(path.stem.removeprefix("transactions-"))
            _ingest(stack, clients, [path])
            await runner.drain()
            known = [] if withhold else timeline.known_by(day, _alerts(clients, stack))
            if known:
                report = _send_labels(stack, clients, day, known)
                run.labels_sent[day] = int(report["rows_accepted"])
                run.refused += int(report["rows_rejected"])
            progress.update(task, advance=1, description=f"{day}: {len(known)} labels known")
            if index % WEEK == 0 and index < len(files):
                run.retrains.append(retrain_step(stack, clients, _midnight_after(day)))
    return run


def _midnight_after(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)


@dataclass
class Arm:
    """One pass over the days on a fresh emulator: the alerts, and what the labels did."""

    model_version: str
    rows: list[dict[str, Any]]
    labels_sent: int
    labels_refused: int
    verdicts_with_terminal_risk: int
    terminals_with_known_fraud: int
    leaks: LeakScan
    retrains: list[RetrainStep]
    scored: pl.DataFrame  # transaction_id, day, label, score: for comparisons at equal alerts

    @property
    def weeks(self) -> list[dict[str, Any]]:
        return weekly(self.rows)

    def as_json(self) -> dict[str, Any]:
        return {
            "model_version": self.model_version,
            "labels_sent": self.labels_sent,
            "labels_refused": self.labels_refused,
            "verdicts_with_terminal_risk": self.verdicts_with_terminal_risk,
            "terminals_with_known_fraud": self.terminals_with_known_fraud,
            "retrains": [step.as_json() for step in self.retrains],
            "card_number_leaks": len(self.leaks.leaks),
            "leak_scan": self.leaks.as_json(),
            "days": self.rows,
            "weeks": self.weeks,
        }


def run_arm(settings: LocalSettings, size: DemoSize, progress: Progress, *, withhold: bool) -> Arm:
    """Deploy, train the same seeded go-live model (no label features: no label feed yet), and
    play the days with labels sent or withheld."""
    folder = settings.local_state_dir / "feedback"
    with _function_environment(), embedded_aws(settings):
        _clear_function_caches()
        clients = _clients()
        stack = local_stack.deploy(clients)
        os.environ.update(stack.variables | QUIET | LIVE_MODEL_EVERY_BATCH)
        version = train_demo_model(
            stack, clients, size, with_labels=False, review_share=REVIEW_SHARE
        )
        files, labels = demo_files(folder, size)
        timeline = Timeline.of(files, labels)
        run = asyncio.run(_days(stack, clients, files, timeline, progress, withhold=withhold))
        view = VerdictView.read(clients, stack)
        terminals = terminals_with_known_fraud(clients["dynamodb"], stack.outputs["StateTableName"])
        leaks = scan_stack(clients, [])
    scored = timeline.truth.with_columns(
        pl.col("transaction_id").replace_strict(view.scores, default=None).alias("score")
    ).filter(pl.col("score").is_not_null())
    return Arm(
        model_version=version,
        rows=day_rows(timeline, view.flagged, run.labels_sent, view.models),
        labels_sent=sum(run.labels_sent.values()),
        labels_refused=run.refused,
        verdicts_with_terminal_risk=view.with_terminal_risk,
        terminals_with_known_fraud=terminals,
        leaks=leaks,
        retrains=run.retrains,
        scored=scored,
    )


def precision_at(scored: pl.DataFrame, days: list[str], alerts: int) -> float | None:
    """Share of frauds among the `alerts` highest-scored transactions of `days` (a budget)."""
    if alerts == 0:
        return None
    week = scored.filter(pl.col("day").cast(pl.Utf8).is_in(days))
    top = week.sort("score", descending=True).head(alerts)
    return float(top["label"].sum()) / top.height if top.height else None


def side_by_side(
    sent: list[dict[str, Any]],
    withheld: list[dict[str, Any]],
    sent_scores: pl.DataFrame | None = None,
    week_days: list[list[str]] | None = None,
) -> list[dict[str, Any]]:
    """Per week, the alerts with labels sent beside the same week with every label withheld; with
    the scores, also the labelled run's precision at the control's number of alerts (same
    budget, so a gain there is better ranking, not more or fewer alerts)."""
    rows = []
    for index, (with_labels, control) in enumerate(zip(sent, withheld, strict=True)):
        gain = None
        if with_labels["precision"] is not None and control["precision"] is not None:
            gain = with_labels["precision"] - control["precision"]
        row = {
            "week": with_labels["week"],
            "frauds": with_labels["frauds"],
            "alerts": with_labels["alerts"],
            "precision": with_labels["precision"],
            "recall": with_labels["recall"],
            "alerts withheld": control["alerts"],
            "precision withheld": control["precision"],
            "recall withheld": control["recall"],
            "precision gain": gain,
        }
        if sent_scores is not None and week_days is not None:
            at_budget = precision_at(sent_scores, week_days[index], control["alerts"])
            row["precision at withheld's alerts"] = at_budget
            both = at_budget is not None and control["precision"] is not None
            row["gain at same alerts"] = at_budget - control["precision"] if both else None
        rows.append(row)
    return rows


def _retrain_rows(steps: list[RetrainStep]) -> list[dict[str, Any]]:
    return [
        {
            "cut-off": s.cutoff,
            "transactions": s.transactions,
            "labelled fraud": s.labelled_fraud,
            "alert budget/day": s.alerts_per_day,
            "candidate AP": s.candidate_ap,
            "live AP": s.live_ap,
            "outcome": s.outcome,
            "model": _short(s.candidate) if s.outcome == "promoted" else None,
        }
        for s in steps
    ]


def _week_days(rows: list[dict[str, Any]]) -> list[list[str]]:
    return [[r["day"] for r in rows[start : start + WEEK]] for start in range(0, len(rows), WEEK)]


def run_feedback_demo(
    console: Console, size: DemoSize, summary_path: Path | None, *, control: bool = False
) -> int:
    """Run the days with delayed labels (and, for `control`, again with every label withheld);
    exit 1 if a label was refused or a card number leaked."""
    settings = LocalSettings()
    with Progress(console=console) as progress:
        arm = run_arm(settings, size, progress, withhold=False)
        withheld = run_arm(settings, size, progress, withhold=True) if control else None
    console.print(_table("alerts by day, as labels arrive (chargebacks 2–9 days late)", arm.rows))
    console.print(_table("alerts by week", arm.weeks))
    if arm.retrains:
        console.print(_table("weekly retraining from the store", _retrain_rows(arm.retrains)))
    summary = arm.as_json()
    arms = [arm]
    if withheld is not None:
        compared = side_by_side(arm.weeks, withheld.weeks, arm.scored, _week_days(arm.rows))
        title = "alerts by week: labels sent vs withheld (same days, same go-live model)"
        console.print(_table(title, compared))
        summary |= {"withheld": withheld.as_json(), "side_by_side": compared}
        arms.append(withheld)
    path = summary_path or settings.local_state_dir / "feedback-summary.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    console.print(f"summary: {path}")
    return 0 if all(a.labels_refused == 0 and not a.leaks.leaks for a in arms) else 1
