"""The live rule set on the Operations screen, and a form that puts a card, terminal or merchant
on the block or allow list (publishing a new rule-set version the scorer follows).

A card is entered as its number (masked while typed) or its token; the number is tokenised with
the stack's own key, then cleared from the form. Neither is kept, logged or shown.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Select, Static

from cardwatch_shared.card_number import CardNumberError
from cardwatch_shared.contracts import ListEntry, RuleSet
from cardwatch_shared.contracts.field_errors import field_errors
from cardwatch_shared.contracts.transaction import TOKEN_PATTERN
from cardwatch_shared.rule_registry import RulesPointer
from cardwatch_tui.stack_client import StackClient
from cardwatch_tui.stack_unreachable import StackUnreachableError

KINDS = [("card", "card"), ("terminal", "terminal"), ("merchant", "merchant")]
ACTIONS = [("block", "block"), ("allow", "allow")]


def rule_rows(rules: RuleSet) -> list[tuple[str, str, str, str]]:
    """Rows of the rules table: rules by priority, then list entries (cards by last four)."""
    rows = [
        (r.name, r.action.value, str(r.priority) if r.enabled else "off", r.description)
        for r in sorted(rules.rules, key=lambda r: -r.priority)
    ]
    for e in rules.lists:
        shown = (
            f"card •••• {e.last4 or '????'}"
            if e.kind.value == "card"
            else (f"{e.kind.value} {e.value}")
        )
        until = e.expires_at.strftime("until %Y-%m-%d") if e.expires_at else "list"
        rows.append((shown, e.action, until, e.reason))
    return rows


class RulesPanel(Vertical):
    """Shows the live rules and lists; adds list entries."""

    DEFAULT_CSS = """
    RulesPanel { height: auto; }
    RulesPanel #rules-table { height: 7; }
    RulesPanel Horizontal { height: auto; }
    RulesPanel Select { width: 16; }
    RulesPanel #list-value { width: 1fr; }
    RulesPanel #list-reason { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static("rules: …", id="rules-info")
        yield DataTable(id="rules-table", cursor_type="row")
        with Horizontal():
            yield Select(KINDS, value="card", allow_blank=False, id="list-kind")
            yield Input(placeholder="card number or token / id", password=True, id="list-value")
            yield Select(ACTIONS, value="block", allow_blank=False, id="list-action")
            yield Input(placeholder="reason", id="list-reason")
            yield Button("Add to list", id="list-add")

    def on_mount(self) -> None:
        self.query_one("#rules-table", DataTable).add_columns("rule / entry", "action", "", "why")

    def _client(self) -> StackClient:
        client: StackClient = self.app.stack_client()  # type: ignore[attr-defined]
        return client

    @on(Select.Changed, "#list-kind")
    def _mask_only_cards(self, event: Select.Changed) -> None:
        self.query_one("#list-value", Input).password = event.value == "card"

    @work(thread=True, exclusive=True, group="rules")
    def refresh_rules(self) -> None:
        """Read the live rule set."""
        try:
            live = self._client().live_rules()
        except (StackUnreachableError, ValueError) as error:
            self.app.call_from_thread(self._say, f"rules: {error}")
            return
        self.app.call_from_thread(self._show, live)

    def _say(self, text: str) -> None:
        self.query_one("#rules-info", Static).update(text)

    def _show(self, live: tuple[RulesPointer, RuleSet] | None) -> None:
        table = self.query_one("#rules-table", DataTable)
        table.clear()
        if live is None:
            self._say("rules: none published — the model decides alone")
            return
        pointer, rules = live
        entries = f"{pointer.list_entries} list entries"
        self._say(f"rule set {pointer.version}: {pointer.rules} rules, {entries}")
        for row in rule_rows(rules):
            table.add_row(*row)

    @on(Button.Pressed, "#list-add")
    @on(Input.Submitted, "#list-reason")
    def add(self) -> None:
        """Take the form's values (clearing the card number at once) and publish the entry."""
        value_input = self.query_one("#list-value", Input)
        value, value_input.value = value_input.value.strip(), ""
        kind = str(self.query_one("#list-kind", Select).value)
        action = str(self.query_one("#list-action", Select).value)
        reason = self.query_one("#list-reason", Input).value.strip()
        if not value or not reason:
            self._say("rules: a value and a reason are needed")
            return
        self._add(kind, value, action, reason)

    @work(thread=True, exclusive=True, group="rules")
    def _add(self, kind: str, value: str, action: str, reason: str) -> None:
        try:
            entry = self._entry(kind, value, action, reason)
            pointer = self._client().add_list_entry(entry)
        except ValidationError as error:  # one line a field, in the rules' words
            why = "; ".join(reason for _, reason in field_errors(error))
            self.app.call_from_thread(self._say, f"rules: not added — {why}")
            return
        except (StackUnreachableError, CardNumberError, ValueError) as error:
            self.app.call_from_thread(self._say, f"rules: not added — {error}")
            return
        self.app.call_from_thread(
            self._say, f"{kind} on the {action} list; rule set {pointer.version} is live"
        )
        self.refresh_rules()

    def _entry(self, kind: str, value: str, action: str, reason: str) -> ListEntry:
        fields = {"kind": kind, "action": action, "reason": reason, "added_at": datetime.now(UTC)}
        if kind == "card" and not re.fullmatch(TOKEN_PATTERN, value):
            token, last4 = self._client().card_token(value)
            return ListEntry.model_validate(fields | {"value": token, "last4": last4})
        return ListEntry.model_validate(fields | {"value": value})
