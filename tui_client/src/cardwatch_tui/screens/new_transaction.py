"""New transaction: a field per CSV column, validated as you type with the shared contract.

The card number is masked while typed (only its last four digits are echoed) and never shown
again in full; Enter in any field adds the transaction to the batch when every field is valid.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Select, Static

from cardwatch_shared.card_number import luhn_valid, normalize
from cardwatch_tui.batch import Entry, mcc_choices, validate
from cardwatch_tui.messages import EntryAdded

FIELDS = (
    ("card_number", "Card number", "13-19 digits"),
    ("amount", "Amount", "e.g. 42.50"),
    ("currency", "Currency", "ISO 4217, e.g. EUR"),
    ("timestamp", "Time", "ISO 8601 with offset"),
    ("merchant_id", "Merchant id", "e.g. M-1001"),
    ("merchant_name", "Merchant name", "e.g. Corner Market"),
    ("mcc", "Category", "type to search: 5411, grocery…"),
    ("terminal_id", "Terminal id", "e.g. T-77"),
    ("country", "Country", "ISO 3166 alpha-2, e.g. FR"),
    ("latitude", "Latitude", "optional"),
    ("longitude", "Longitude", "optional"),
    ("transaction_id", "Transaction id", "optional: generated"),
)
DEFAULTS = {"currency": "EUR", "country": "FR", "channel": "card_present"}


def card_hint(text: str) -> str:
    """What the form echoes of a card number: length, Luhn, last four digits, never more."""
    digits = normalize(text) if text else ""
    if not digits:
        return ""
    if not digits.isdigit():
        return "digits, spaces and dashes only"
    shown = f"•••• {digits[-4:]}" if len(digits) >= 4 else "••••"
    if not 13 <= len(digits) <= 19:
        return f"{shown}  {len(digits)} digits (13-19 needed)"
    return f"{shown}  {'Luhn ok' if luhn_valid(digits) else 'fails the Luhn check'}"


class NewTransactionForm(VerticalScroll):
    """The form; posts `EntryAdded` for each valid transaction."""

    DEFAULT_CSS = """
    NewTransactionForm Grid { grid-size: 3; grid-columns: 16 1fr 1fr; grid-rows: 3; height: auto; }
    NewTransactionForm Label.name { padding: 1 0 0 1; }
    NewTransactionForm .error { color: $error; padding: 1 0 0 1; }
    NewTransactionForm .hint { color: $text-muted; padding: 1 0 0 1; }
    NewTransactionForm #form-status { padding: 0 1; height: auto; }
    """

    def __init__(self, clock: Callable[[], datetime], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._clock = clock
        self._touched: set[str] = set()

    def compose(self) -> ComposeResult:
        with Grid():
            for name, title, placeholder in FIELDS:
                yield Label(title, classes="name")
                yield self._input(name, placeholder)
                yield Static("", id=f"err-{name}", classes="error")
            yield Label("Channel", classes="name")
            yield Select(
                [("card present", "card_present"), ("card not present", "card_not_present")],
                value="card_present",
                allow_blank=False,
                id="in-channel",
            )
            yield Static("")
        with Horizontal():
            yield Button("Add to batch", id="add", variant="primary")
            yield Static("", id="form-status")

    def _input(self, name: str, placeholder: str) -> Input:
        value = DEFAULTS.get(name, "")
        if name == "timestamp":
            value = self._clock().strftime("%Y-%m-%dT%H:%M:%SZ")
        suggester = SuggestFromList(mcc_choices(), case_sensitive=False) if name == "mcc" else None
        return Input(
            value=value,
            placeholder=placeholder,
            id=f"in-{name}",
            password=name == "card_number",
            suggester=suggester,
        )

    def cells(self) -> dict[str, str]:
        """The form's current text per column."""
        values = {n: self.query_one(f"#in-{n}", Input).value for n, _, _ in FIELDS}
        values["channel"] = str(self.query_one("#in-channel", Select).value)
        return values

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("in-")
        self._touched.add(name)
        self._show(validate(self.cells())[1], only_touched=True)

    def _show(self, errors: dict[str, str], *, only_touched: bool) -> None:
        for name, _, _ in FIELDS:
            shown = errors.get(name, "") if (name in self._touched or not only_touched) else ""
            if name == "card_number" and not shown:
                shown = card_hint(self.query_one("#in-card_number", Input).value)
            widget = self.query_one(f"#err-{name}", Static)
            widget.update(shown)
            widget.set_class(name == "card_number" and name not in errors, "hint")
        if "row" in errors:
            self.query_one("#form-status", Static).update(errors["row"])

    @on(Input.Submitted)
    @on(Button.Pressed, "#add")
    def submit(self) -> None:
        """Add the transaction when every field is valid; otherwise show every error."""
        entry, errors = validate(self.cells())
        if entry is None:
            self._show(errors, only_touched=False)
            self.query_one("#form-status", Static).update(f"{len(errors)} field(s) to fix")
            return
        self.post_message(EntryAdded(entry))
        self._reset()
        self.query_one("#form-status", Static).update(
            f"added {entry.transaction_id} ({entry.masked_card})"
        )

    def _reset(self) -> None:
        with self.prevent(Input.Changed):
            for name in ("card_number", "amount", "transaction_id"):
                self.query_one(f"#in-{name}", Input).value = ""
            stamp = self._clock().strftime("%Y-%m-%dT%H:%M:%SZ")
            self.query_one("#in-timestamp", Input).value = stamp
        self._touched.clear()
        self._show({}, only_touched=True)
        self.query_one("#in-card_number", Input).focus()

    def load(self, entry: Entry) -> None:
        """Put an entry back in the form to edit it."""
        for name, _, _ in FIELDS:
            self.query_one(f"#in-{name}", Input).value = entry.cells.get(name, "")
        self.query_one("#in-channel", Select).value = entry.cells.get("channel", "card_present")
