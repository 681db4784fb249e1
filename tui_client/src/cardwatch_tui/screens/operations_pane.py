"""Operations: the stack the app talks to, dead-letter queue depths (inspect a queue's waiting
messages), the current model with its metrics and today's score drift, and the live rules and
lists."""

from __future__ import annotations

import json
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Static

from cardwatch_shared.drift_reading import DriftReading
from cardwatch_tui.screens.rules_panel import RulesPanel
from cardwatch_tui.stack_client import StackClient
from cardwatch_tui.stack_unreachable import StackUnreachableError


def model_line(model: dict[str, Any] | None) -> str:
    """The current model's version and headline metrics."""
    if model is None:
        return "model: none promoted (train one: cardwatch model train)"
    metrics = model.get("metrics", {})
    shown = ", ".join(f"{k} {v:.3f}" for k, v in metrics.items() if isinstance(v, int | float))
    return f"model: {model.get('version', '?')}" + (f" — {shown}" if shown else "")


class OperationsPane(Vertical):
    """Refreshed on demand and on the app's timer."""

    DEFAULT_CSS = """
    OperationsPane #dlq-table { height: 6; }
    OperationsPane Horizontal { height: auto; }
    OperationsPane #ops-info { height: auto; padding: 0 1; }
    OperationsPane VerticalScroll { height: 1fr; border-top: solid $primary; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def compose(self) -> ComposeResult:
        yield Static("", id="ops-info")
        yield DataTable(id="dlq-table", cursor_type="row")
        with Horizontal():
            yield Button("Refresh", id="refresh")
            yield Button("Inspect queue", id="inspect")
        yield RulesPanel(id="rules-panel")
        with VerticalScroll():
            yield Static("redrive from a shell: cardwatch dlq redrive QUEUE", id="dlq-messages")

    def on_mount(self) -> None:
        self.query_one("#dlq-table", DataTable).add_columns("dead-letter queue", "waiting")
        settings = self.app.settings  # type: ignore[attr-defined]
        endpoint = settings.endpoint() or f"AWS {settings.aws_region}"
        self.query_one("#ops-info", Static).update(
            f"stack: {settings.environment} at {endpoint}\nmodel: …"
        )

    def _client(self) -> StackClient:
        client: StackClient = self.app.stack_client()  # type: ignore[attr-defined]
        return client

    @on(Button.Pressed, "#refresh")
    @work(thread=True, exclusive=True, group="operations")
    def refresh_status(self) -> None:
        """Read DLQ depths, the current model and the live rules."""
        self.app.call_from_thread(self.query_one(RulesPanel).refresh_rules)
        try:
            depths = self._client().dlq_depths()
            model = self._client().current_model()
            drift = self._client().score_drift()
        except StackUnreachableError as error:
            self.app.call_from_thread(self._info, f"{error}")
            return
        self.app.call_from_thread(self._show, depths, model, drift)

    def _info(self, text: str) -> None:
        settings = self.app.settings  # type: ignore[attr-defined]
        endpoint = settings.endpoint() or f"AWS {settings.aws_region}"
        self.query_one("#ops-info", Static).update(
            f"stack: {settings.environment} at {endpoint}\n{text}"
        )

    def _show(
        self, depths: dict[str, int], model: dict[str, Any] | None, drift: DriftReading | None
    ) -> None:
        self._info(model_line(model) + (f"\n{drift.describe()}" if drift else ""))
        table = self.query_one("#dlq-table", DataTable)
        table.clear()
        for name, depth in sorted(depths.items()):
            table.add_row(name, str(depth), key=name)

    @on(Button.Pressed, "#inspect")
    def inspect(self) -> None:
        """Show the waiting messages of the selected queue (left in the queue)."""
        table = self.query_one("#dlq-table", DataTable)
        if table.row_count:
            name = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
            self._inspect(name)

    @work(thread=True, exclusive=True, group="operations")
    def _inspect(self, name: str) -> None:
        try:
            bodies = self._client().dlq_peek(name)
        except StackUnreachableError as error:
            bodies = [str(error)]
        shown = [
            json.dumps(json.loads(b), indent=1)[:1500] if b.startswith("{") else b for b in bodies
        ]
        text = "\n\n".join(shown) or f"{name}: empty"
        self.app.call_from_thread(self.query_one("#dlq-messages", Static).update, text)
