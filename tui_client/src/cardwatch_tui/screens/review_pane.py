"""Review: the verdicts waiting for an analyst, one at a time (score, decision, reasons, rules,
the card's history); one key records the decision as a label (`f` fraud, `l` legit) and the
next one shows; `n` skips, `r` reloads the queue."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from cardwatch_shared.contracts import Verdict
from cardwatch_shared.contracts.label import Label, LabelSource, LabelValue
from cardwatch_shared.label_store import LabelOutcome
from cardwatch_tui.messages import LabelRecorded
from cardwatch_tui.stack_client import StackClient
from cardwatch_tui.stack_unreachable import StackUnreachableError

KEYS = "f fraud · l legit · n next · r reload"


def verdict_text(verdict: Verdict) -> str:
    """What the analyst needs to decide, without any card number (last four only)."""
    reasons = "\n".join(f"  · {r.text}" for r in verdict.reason_codes) or "  · none"
    rules = ", ".join(verdict.rules_fired) or "none"
    return (
        f"[b]{verdict.transaction_id}[/b]  {verdict.event_time:%Y-%m-%d %H:%M UTC}\n"
        f"card •••• {verdict.last4}   {verdict.amount} {verdict.currency}   "
        f"{verdict.merchant_name} ({verdict.merchant_id}, mcc {verdict.mcc})\n"
        f"terminal {verdict.terminal_id}   {verdict.channel.value}   {verdict.country}\n"
        f"score {verdict.score:.3f} (threshold {verdict.threshold:.3f})   "
        f"decision [b]{verdict.decision.value}[/b]   model {verdict.model_version}\n"
        f"reasons:\n{reasons}\nrules fired: {rules}"
    )


class ReviewPane(Vertical, can_focus=True):
    """The queue, loaded on demand; decisions go through worker threads."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "decide('fraud')", "Fraud"),
        Binding("l", "decide('legit')", "Legit"),
        Binding("n", "next", "Next"),
        Binding("r", "reload", "Reload"),
    ]
    DEFAULT_CSS = """
    ReviewPane { padding: 0 1; }
    ReviewPane #review-verdict { border: round $primary; padding: 0 1; height: auto; }
    ReviewPane Static { height: auto; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.queue: list[Verdict] = []
        self.position = 0

    def compose(self) -> ComposeResult:
        yield Static("review queue: not loaded (r)", id="review-count")
        yield Static("", id="review-verdict")
        yield Static("", id="review-history")
        yield Static(KEYS, id="review-status")

    def _client(self) -> StackClient:
        client: StackClient = self.app.stack_client()  # type: ignore[attr-defined]
        return client

    @property
    def current(self) -> Verdict | None:
        """The verdict on screen, if any."""
        return self.queue[self.position] if self.position < len(self.queue) else None

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="review")
    def load(self) -> None:
        """Read the queue from the stack."""
        try:
            queue = self._client().review_queue()
        except StackUnreachableError as error:
            self.app.call_from_thread(self._status, str(error))
            return
        self.app.call_from_thread(self._loaded, queue)

    def _loaded(self, queue: list[Verdict]) -> None:
        self.queue, self.position = queue, 0
        self._show()

    def _show(self) -> None:
        verdict = self.current
        waiting = len(self.queue) - self.position
        self.query_one("#review-count", Static).update(f"review queue: {waiting} waiting")
        if verdict is None:
            self.query_one("#review-verdict", Static).update("nothing to review")
            self.query_one("#review-history", Static).update("")
            return
        self.query_one("#review-verdict", Static).update(verdict_text(verdict))
        self.query_one("#review-history", Static).update("card history: …")
        self._history(verdict)

    @work(thread=True, exclusive=True, group="review-history")
    def _history(self, verdict: Verdict) -> None:
        try:
            text = self._client().card_history(verdict).describe()
        except StackUnreachableError as error:
            text = f"card history unavailable: {error}"
        self.app.call_from_thread(self._history_text, verdict.transaction_id, text)

    def _history_text(self, transaction_id: str, text: str) -> None:
        if self.current is not None and self.current.transaction_id == transaction_id:
            self.query_one("#review-history", Static).update(text)

    def action_next(self) -> None:
        if self.current is not None:
            self.position += 1
            self._show()

    def action_decide(self, value: str) -> None:
        verdict = self.current
        if verdict is None:
            return
        clock = self.app.clock  # type: ignore[attr-defined]
        label = Label(
            transaction_id=verdict.transaction_id,
            label=LabelValue(value),
            source=LabelSource.ANALYST,
            known_at=clock(),
        )
        self.position += 1
        self._show()
        self._record(label)

    @work(thread=True, group="review-decisions")
    def _record(self, label: Label) -> None:
        try:
            outcome = self._client().record_label(label)
        except StackUnreachableError as error:
            self.app.call_from_thread(self._status, f"{label.transaction_id}: not saved: {error}")
            return
        self.app.call_from_thread(self.post_message, LabelRecorded(label, outcome))
        self.app.call_from_thread(self._status, _said(label, outcome))

    def _status(self, text: str) -> None:
        self.query_one("#review-status", Static).update(f"{text}\n{KEYS}")


def _said(label: Label, outcome: LabelOutcome) -> str:
    if outcome is LabelOutcome.APPLIED:
        return f"{label.transaction_id}: labelled {label.label.value}"
    if outcome is LabelOutcome.UNCHANGED:
        return f"{label.transaction_id}: a newer label was already stored"
    return f"{label.transaction_id}: no verdict any more, nothing labelled"
