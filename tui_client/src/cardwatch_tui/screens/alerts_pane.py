"""Alerts: the alert emails (the local mailbox's .eml files), newest first, with the body of the
selected one."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from cardwatch_tui.stack_client import Alert, read_alerts


class AlertsPane(Vertical):
    """Re-reads the mailbox on each refresh."""

    DEFAULT_CSS = """
    AlertsPane DataTable { height: 1fr; }
    AlertsPane VerticalScroll { height: 1fr; border-top: solid $primary; }
    """

    def __init__(self, mailbox: Path, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.mailbox = mailbox
        self.alerts: list[Alert] = []

    def compose(self) -> ComposeResult:
        yield DataTable(id="alerts-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll():
            yield Static(f"no alert emails yet in {self.mailbox}", id="alert-body")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("received", "subject")
        self.refresh_alerts()

    def refresh_alerts(self) -> None:
        """Reload the mailbox; keep the table as is when nothing changed."""
        alerts = read_alerts(self.mailbox)
        if alerts == self.alerts:
            return
        self.alerts = alerts
        table = self.query_one(DataTable)
        table.clear()
        for number, alert in enumerate(alerts):
            table.add_row(alert.received, alert.subject, key=str(number))
        if alerts:
            self.query_one("#alert-body", Static).update(alerts[0].body)

    @on(DataTable.RowHighlighted)
    def _show(self, event: DataTable.RowHighlighted) -> None:
        index = int(str(event.row_key.value))
        if index < len(self.alerts):
            self.query_one("#alert-body", Static).update(self.alerts[index].body)
