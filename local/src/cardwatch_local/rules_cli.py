"""`cardwatch rules test | publish | show | list | rollback | block | allow`: rules and lists,
backtested on stored verdicts before they go live, published as versions the scorer follows."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from cardwatch_local.rules_backtest import Backtest, Outcome
    from cardwatch_shared.contracts import ListEntry, RuleSet
    from cardwatch_tui.stack_client import StackClient

rules_app = typer.Typer(help="Rules and allow/block lists beside the model.", no_args_is_help=True)
console = Console()
RuleFile = Annotated[Path, typer.Argument(help="rule set file (.yaml, .yml or .json)")]


def _stack() -> StackClient:
    from cardwatch_tui.settings import TuiSettings
    from cardwatch_tui.stack_client import StackClient

    return StackClient(TuiSettings())


def _read(path: Path) -> RuleSet:
    from cardwatch_local.rules_file import RuleSetFileError, read_rules

    try:
        return read_rules(path)
    except RuleSetFileError as error:
        console.print(f"[red]refused[/]: {escape(str(error))}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


def _pct(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.3f}"


def _outcome_row(name: str, outcome: Outcome) -> list[str]:
    counts = outcome.decisions
    return [
        name,
        f"{counts['block']:,}",
        f"{counts['review']:,}",
        f"{counts['allow']:,}",
        _pct(outcome.precision),
        _pct(outcome.recall),
    ]


def print_backtest(result: Backtest) -> None:
    """The rule table, the candidate beside the live set, and the decisions that change."""
    table = Table(
        title=f"rules over {result.transactions:,} verdicts ({result.labelled:,} labelled)"
    )
    widest = max((len(line.name) for line in result.rules), default=4)
    table.add_column("rule", no_wrap=True, min_width=widest)  # names are what a reader greps
    for column in ("action", "hits", "top hit", "labelled", "frauds", "fraud share"):
        table.add_column(column, justify="left" if column == "action" else "right")
    for line in result.rules:
        table.add_row(
            escape(line.name),
            line.action,
            f"{line.hits:,}",
            f"{line.decided:,}",
            f"{line.labelled:,}",
            f"{line.frauds:,}",
            _pct(line.precision),
        )
    console.print(table)
    side = Table(title="decisions: candidate vs live (precision/recall of block, labelled only)")
    for column in ("set", "block", "review", "allow", "precision", "recall"):
        side.add_column(column, justify="left" if column == "set" else "right")
    side.add_row(*_outcome_row("candidate", result.candidate))
    side.add_row(*_outcome_row("live", result.live))
    console.print(side)
    changes = ", ".join(f"{a}→{b}: {n:,}" for (a, b), n in sorted(result.changed.items()))
    console.print(f"decisions that change: {changes or 'none'}")


@rules_app.command(name="test")
def backtest_rules(
    ruleset: RuleFile,
    labels: Annotated[
        Path | None, typer.Option(help="labels CSV (transaction_id,label) for precision/recall")
    ] = None,
) -> None:
    """Backtest a rule set on the stored verdicts (and labels), beside the live set."""
    from cardwatch_local.rules_backtest import backtest, read_labels, verdicts_of
    from cardwatch_shared.contracts import RuleSet

    candidate = _read(ruleset)
    stack = _stack()
    live = stack.live_rules()
    verdicts = verdicts_of(stack.all_verdicts())
    truth = read_labels(labels) if labels else {}
    print_backtest(backtest(candidate, live[1] if live else RuleSet(), verdicts, truth))


@rules_app.command()
def publish(ruleset: RuleFile) -> None:
    """Validate and publish a rule set; the scorer follows within its refresh interval."""
    rules = _read(ruleset)
    pointer = _stack().rule_registry().publish(rules)
    console.print(
        f"published rule set {pointer.version}: {pointer.rules} rules, "
        f"{pointer.list_entries} list entries"
    )


@rules_app.command()
def show() -> None:
    """The live rules and list entries."""
    live = _stack().live_rules()
    if live is None:
        console.print("no rule set published: the model decides alone")
        return
    pointer, rules = live
    table = Table(title=f"live rule set {pointer.version}")
    for column in ("rule", "action", "priority", "enabled", "description"):
        table.add_column(column)
    for rule in sorted(rules.rules, key=lambda r: -r.priority):
        table.add_row(
            rule.name,
            rule.action.value,
            str(rule.priority),
            str(rule.enabled),
            escape(rule.description),
        )
    console.print(table)
    entries = Table(title="lists")
    for column in ("kind", "value", "action", "expires", "reason"):
        entries.add_column(column)
    for entry in rules.lists:
        entries.add_row(*map(escape, list_row(entry)))
    console.print(entries)


def list_row(entry: ListEntry) -> tuple[str, str, str, str, str]:
    """How a list entry is shown: a card by its last four digits and a token prefix."""
    shown = entry.value
    if entry.kind.value == "card":
        shown = f"•••• {entry.last4 or '????'} ({entry.value[:8]}…)"
    expires = entry.expires_at.isoformat(timespec="minutes") if entry.expires_at else "never"
    return entry.kind.value, shown, entry.action, expires, entry.reason


@rules_app.command(name="list")
def list_versions() -> None:
    """Published rule-set versions; the live one marked."""
    registry = _stack().rule_registry()
    versions = registry.versions()
    if not versions:
        console.print("no rule set published yet: `cardwatch rules publish FILE` publishes one")
        return
    live = registry.pointer()
    table = Table(title="rule sets")
    for column in ("version", "rules", "list entries", "live"):
        table.add_column(column)
    for pointer in versions:
        mark = "●" if live and live.version == pointer.version else ""
        table.add_row(pointer.version, str(pointer.rules), str(pointer.list_entries), mark)
    console.print(table)


@rules_app.command()
def rollback(
    version: Annotated[str | None, typer.Argument(help="default: the one before the live")] = None,
) -> None:
    """Make an earlier published rule set live again."""
    from cardwatch_shared.rule_registry import RuleSetError

    try:
        pointer = _stack().rule_registry().rollback(version)
    except RuleSetError as error:
        console.print(f"[red]{escape(str(error))}[/]")
        raise typer.Exit(code=1) from None
    console.print(f"live rule set: {pointer.version}")


Target = Annotated[str | None, typer.Option(help="terminal id")]


def _entry(
    action: str,
    *,
    terminal: str | None,
    merchant: str | None,
    card_token: str | None,
    card_number: bool,
    reason: str,
    days: float | None,
) -> ListEntry:
    from cardwatch_shared.card_number import CardNumberError
    from cardwatch_shared.contracts import ListEntry

    chosen = [x for x in (terminal, merchant, card_token) if x] + (["n"] if card_number else [])
    if len(chosen) != 1:
        raise typer.BadParameter("name exactly one of --terminal, --merchant, --card-token, --card")
    now = datetime.now(UTC)
    fields: dict[str, object] = {"action": action, "reason": reason, "added_at": now}
    if days is not None:
        fields["expires_at"] = now + timedelta(days=days)
    if card_number:
        number = typer.prompt("card number (not echoed, not stored)", hide_input=True)
        try:
            token, last4 = _stack().card_token(number)
        except CardNumberError as error:
            raise typer.BadParameter(str(error)) from None
        return ListEntry(kind="card", value=token, last4=last4, **fields)
    kind, value = (
        ("terminal", terminal)
        if terminal
        else ("merchant", merchant)
        if merchant
        else ("card", card_token)
    )
    return ListEntry(kind=kind, value=value, **fields)


def _add(action: str, entry: ListEntry) -> None:
    pointer = _stack().add_list_entry(entry)
    console.print(f"{entry.kind.value} on the {action} list; live rule set {pointer.version}")


def _list_command(action: str) -> None:
    def command(  # noqa: PLR0917 - typer options
        reason: Annotated[str, typer.Option(help="why (shown in reasons and emails)")],
        terminal: Target = None,
        merchant: Annotated[str | None, typer.Option(help="merchant id")] = None,
        card_token: Annotated[str | None, typer.Option(help="card token, as on a verdict")] = None,
        card: Annotated[bool, typer.Option(help="prompt for a card number (tokenised)")] = False,
        days: Annotated[float | None, typer.Option(help="expire after this many days")] = None,
    ) -> None:
        entry = _entry(
            action,
            terminal=terminal,
            merchant=merchant,
            card_token=card_token,
            card_number=card,
            reason=reason,
            days=days,
        )
        _add(action, entry)

    command.__doc__ = f"Put a card, terminal or merchant on the {action} list."
    rules_app.command(name=action)(command)


_list_command("block")
_list_command("allow")
