"""The cardwatch terminal app: enter and simulate transactions, save and upload them, and watch
their verdicts and alerts. Each tab is a screen module; panes talk through messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.widgets import Footer, Header, TabbedContent, TabPane

from cardwatch_tui.batch import Batch
from cardwatch_tui.commands import CardwatchCommands
from cardwatch_tui.messages import BatchUploaded, EditEntry, EntryAdded
from cardwatch_tui.screens.alerts_pane import AlertsPane
from cardwatch_tui.screens.batch_pane import BatchPane
from cardwatch_tui.screens.help_screen import HelpScreen
from cardwatch_tui.screens.new_transaction import NewTransactionForm
from cardwatch_tui.screens.operations_pane import OperationsPane
from cardwatch_tui.screens.review_pane import ReviewPane
from cardwatch_tui.screens.verdicts_pane import VerdictsPane
from cardwatch_tui.settings import TuiSettings
from cardwatch_tui.stack_client import StackClient, StackNames

TABS = (
    ("new", "New"),
    ("batch", "Batch"),
    ("verdicts", "Verdicts"),
    ("alerts", "Alerts"),
    ("operations", "Operations"),
    ("review", "Review"),
)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class CardwatchApp(App[None]):
    """The app; `clock` and `settings` are injectable for tests."""

    TITLE = "cardwatch"
    SUB_TITLE = "transactions, verdicts, alerts"
    COMMANDS = App.COMMANDS | {CardwatchCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", priority=True),
        Binding("f2", "tab('new')", "New", priority=True),
        Binding("f3", "tab('batch')", "Batch", priority=True),
        Binding("f4", "tab('verdicts')", "Verdicts", priority=True),
        Binding("f5", "tab('alerts')", "Alerts", priority=True),
        Binding("f6", "tab('operations')", "Ops", priority=True),
        Binding("f7", "tab('review')", "Review", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+u", "upload", "Upload", priority=True),
    ]

    def __init__(
        self,
        settings: TuiSettings | None = None,
        clock: Callable[[], datetime] = utc_now,
        stack_names: StackNames | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or TuiSettings()
        self.clock = clock
        self._stack_names = stack_names
        self._stack: StackClient | None = None
        self.batch = Batch(batch_id=clock().strftime("%Y%m%dT%H%M%S"))

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="new"):
            with TabPane("New", id="new"):
                yield NewTransactionForm(self.clock, id="form")
            with TabPane("Batch", id="batch"):
                yield BatchPane(self.batch, self.settings.tui_outbox_dir, id="batch-pane")
            with TabPane("Verdicts", id="verdicts"):
                yield VerdictsPane(id="verdicts-pane")
            with TabPane("Alerts", id="alerts"):
                yield AlertsPane(self.settings.mailbox_dir, id="alerts-pane")
            with TabPane("Operations", id="operations"):
                yield OperationsPane(id="operations-pane")
            with TabPane("Review", id="review"):
                yield ReviewPane(id="review-pane")
        yield Footer()

    def stack_client(self) -> StackClient:
        """The one client of the stack (made on first use, in a worker thread)."""
        if self._stack is None:
            self._stack = StackClient(self.settings, self._stack_names)
        return self._stack

    def on_mount(self) -> None:
        self.set_interval(self.settings.tui_poll_interval_s, self._poll)

    def _poll(self) -> None:
        try:
            main = self.screen_stack[0]  # the tabs, also while a modal is open
            verdicts, alerts = main.query_one(VerdictsPane), main.query_one(AlertsPane)
        except (IndexError, NoMatches):  # starting or closing
            return
        verdicts.poll()
        alerts.refresh_alerts()

    def palette_actions(self) -> list[tuple[str, str, str]]:
        """(name, help, action) of every palette entry."""
        tabs = [(f"Go to {title}", f"show the {title} tab", f"tab('{tab}')") for tab, title in TABS]
        return [
            ("Save batch as CSV", "write the batch to the outbox", "save"),
            ("Upload batch", "send the batch to incoming/ in the bucket", "upload"),
            ("Simulate transactions", "add simulated transactions to the batch", "simulate"),
            ("Refresh operations", "DLQ depths and the current model", "refresh_operations"),
            ("Review queue", "decide the queued verdicts: fraud or legit", "tab('review')"),
            ("Help", "keys and where things go", "help"),
            *tabs,
        ]

    def action_tab(self, tab: str) -> None:
        self.set_focus(None)  # a focused field in the old tab would pull the tabs back to it
        self.query_one(TabbedContent).active = tab
        if tab == "review":
            review = self.query_one(ReviewPane)
            review.focus()
            review.load()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_save(self) -> None:
        self.action_tab("batch")
        self.query_one(BatchPane).save()

    def action_upload(self) -> None:
        self.action_tab("batch")
        self.query_one(BatchPane).upload()

    def action_simulate(self) -> None:
        self.action_tab("batch")
        self.query_one(BatchPane).simulate()

    def action_refresh_operations(self) -> None:
        self.action_tab("operations")
        self.query_one(OperationsPane).refresh_status()

    @on(EntryAdded)
    def _entry_added(self, message: EntryAdded) -> None:
        self.query_one(BatchPane).add([message.entry])

    @on(EditEntry)
    def _edit(self, message: EditEntry) -> None:
        self.query_one(NewTransactionForm).load(message.entry)
        self.action_tab("new")

    @on(BatchUploaded)
    def _uploaded(self, message: BatchUploaded) -> None:
        self.query_one(VerdictsPane).track(message.key, message.transaction_ids)


def main() -> None:
    """`cardwatch tui`."""
    CardwatchApp().run()
