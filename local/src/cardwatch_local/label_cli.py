"""`cardwatch label TRANSACTION_ID fraud|legit`: an analyst's decision (or a chargeback) recorded
as a label, the same write the terminal app's review makes; it moves the terminal's fraud risk."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cardwatch_shared.contracts.label import LabelSource, LabelValue

console = Console()


def label(
    transaction_id: Annotated[str, typer.Argument(help="the transaction the outcome is about")],
    outcome: Annotated[LabelValue, typer.Argument(help="fraud or legit")],
    source: Annotated[LabelSource, typer.Option(help="who says so")] = LabelSource.ANALYST,
) -> None:
    """Record what became known about a transaction (exit 1 if it has no verdict)."""
    from pydantic import ValidationError

    from cardwatch_shared.contracts.label import Label
    from cardwatch_shared.label_store import LabelOutcome
    from cardwatch_tui.settings import TuiSettings
    from cardwatch_tui.stack_client import StackClient

    try:
        new = Label(
            transaction_id=transaction_id,
            label=outcome,
            source=source,
            known_at=datetime.now(UTC),
        )
    except ValidationError:
        console.print(f"[red]refused[/]: {escape(transaction_id)} is not a transaction id")
        raise typer.Exit(code=2) from None
    result = StackClient(TuiSettings()).record_label(new)
    if result is LabelOutcome.UNKNOWN_TRANSACTION:
        console.print(f"[red]no verdict for {escape(transaction_id)}[/]: nothing to label")
        raise typer.Exit(code=1)
    said = "recorded" if result is LabelOutcome.APPLIED else "already known (as new or newer)"
    console.print(f"{escape(transaction_id)}: {outcome.value} ({source.value}) {said}")
