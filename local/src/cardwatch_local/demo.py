"""`cardwatch demo`: runs the pipeline as far as it is built and says plainly what is missing."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from cardwatch_local.components import COMPONENTS
from cardwatch_local.contract_preview import preview_csv
from cardwatch_local.pipeline_demo import DemoSize, run_pipeline_demo

EXAMPLE_CSV = Path(__file__).resolve().parents[3] / "examples" / "transactions.csv"


def _components_table() -> Table:
    table = Table(title="cardwatch components in this checkout")
    for column in ("component", "status", "issue", "what it does"):
        table.add_column(column)
    for part in COMPONENTS:
        status = "[green]built[/]" if part.built else "[yellow]not built yet[/]"
        table.add_row(part.name, status, f"#{part.issue}", part.role)
    return table


def _preview_table(csv_path: Path, console: Console) -> None:
    preview = preview_csv(csv_path)
    table = Table(title=f"{csv_path.name}: rows through the contracts (cards masked)")
    for column in ("row", "card", "token", "amount", "merchant", "time"):
        table.add_column(column)
    for row in preview.accepted:
        table.add_row(*row.values())
    console.print(table)
    rejects = Table(title="rejected rows")
    for column in ("row", "column", "reason"):
        rejects.add_column(column)
    for rejected in preview.rejected:
        rejects.add_row(str(rejected.row_number), rejected.column or "", rejected.reason)
    console.print(rejects)
    console.print(
        f"{len(preview.accepted)} accepted, {len(preview.rejected)} rejected "
        f"of {len(preview.accepted) + len(preview.rejected)} rows"
    )


def run_demo(
    console: Console,
    size: DemoSize,
    summary_path: Path | None,
    ephemeral: bool = False,
    wait_for_digests: bool = False,
) -> int:
    """Show what exists, run the pipeline, name what is not there yet. Returns the exit code."""
    console.print(_components_table())
    _preview_table(EXAMPLE_CSV, console)
    if ephemeral:
        code = run_pipeline_demo(console, size, summary_path)
    else:
        from cardwatch_local.running_demo import run_against_stack

        code = run_against_stack(console, size, summary_path, wait_for_digests)
    missing = [part for part in COMPONENTS if not part.built]
    if missing:
        names = ", ".join(f"{p.name} (#{p.issue})" for p in missing)
        console.print(
            f"[yellow]Not there yet:[/] {names}. The stream functions run on the ESM driver "
            "with in-memory checkpoints (no DynamoDB leases yet)."
        )
    return code
