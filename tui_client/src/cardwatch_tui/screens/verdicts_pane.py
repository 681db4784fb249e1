"""Verdicts: a live table of the verdicts of the uploaded batches (polling the verdicts table),
coloured by score, with reason codes and model version, and each file's ingest report."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from cardwatch_tui.stack_unreachable import StackUnreachableError

COLUMNS = ("transaction", "card", "amount", "score", "decision", "reasons", "model")


def score_style(score: float, is_fraud: bool) -> str:
    """Red for fraud, yellow for a score worth a look, green otherwise."""
    if is_fraud:
        return "bold red"
    return "yellow" if score >= 0.2 else "green"


def report_line(key: str, report: dict[str, Any] | None) -> str:
    """One line per uploaded file: accepted, rejected and why."""
    if report is None:
        return f"{key}: waiting for ingest"
    reasons = ", ".join(f"{n}× {r}" for r, n in report.get("rejects_by_reason", {}).items())
    line = f"{key}: {report['rows_accepted']} accepted, {report['rows_rejected']} rejected"
    if report.get("file_error"):
        line += f" — file refused: {report['file_error']}"
    return line + (f" ({reasons})" if reasons else "")


class VerdictsPane(Vertical):
    """Polls the verdicts of every transaction uploaded in this session."""

    DEFAULT_CSS = """
    VerdictsPane DataTable { height: 1fr; }
    VerdictsPane #reports { height: auto; max-height: 8; padding: 0 1; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.uploads: dict[str, list[str]] = {}
        self.seen: dict[str, dict[str, Any]] = {}

    def compose(self) -> ComposeResult:
        yield Static("upload a batch to see its verdicts here", id="reports")
        yield DataTable(id="verdicts-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)

    def track(self, key: str, transaction_ids: list[str]) -> None:
        """Watch an uploaded file's transactions."""
        self.uploads[key] = transaction_ids
        self.poll()

    @work(thread=True, exclusive=True, group="verdicts")
    def poll(self) -> None:
        """Fetch verdicts and reports once (the app calls this on a timer)."""
        if not self.uploads:
            return
        try:
            client = self.app.stack_client()  # type: ignore[attr-defined]
            wanted = [t for ids in self.uploads.values() for t in ids if t not in self.seen]
            verdicts = client.verdicts(wanted) if wanted else []
            reports = {key: client.report(key) for key in self.uploads}
        except StackUnreachableError as error:
            self.app.call_from_thread(self.query_one("#reports", Static).update, str(error))
            return
        self.app.call_from_thread(self._show, verdicts, reports)

    def _show(self, verdicts: list[dict[str, Any]], reports: dict[str, Any]) -> None:
        lines = [report_line(key, report) for key, report in reports.items()]
        total = sum(len(ids) for ids in self.uploads.values())
        done = len(self.seen | {v["transaction_id"]: v for v in verdicts})
        lines.append(f"{done} of {total} transactions scored")
        self.query_one("#reports", Static).update("\n".join(lines))
        table = self.query_one(DataTable)
        for item in verdicts:
            if item["transaction_id"] in self.seen:  # an overlapping poll brought it already
                continue
            self.seen[item["transaction_id"]] = item
            score, fraud = float(item["score"]), bool(item["is_fraud"])
            style = score_style(score, fraud)
            reasons = ", ".join(r["code"] for r in item.get("reason_codes", []))
            amount = f"{item['amount']} {item['currency']}"
            card = f"•••• {item['last4']}"
            scored = (Text(f"{score:.3f}", style=style), Text(str(item["decision"]), style=style))
            model = str(item["model_version"])
            table.add_row(
                item["transaction_id"],
                card,
                amount,
                *scored,
                reasons,
                model,
                key=item["transaction_id"],
            )
