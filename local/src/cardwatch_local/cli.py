"""The `cardwatch` command. Sub-commands import their packages lazily, so `--help` stays fast."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from cardwatch_local.emulator_error import EmulatorError
from cardwatch_tui.stack_unreachable import StackUnreachableError

if TYPE_CHECKING:
    from cardwatch_ml.store_export import StoreHandles

app = typer.Typer(
    name="cardwatch",
    help="cardwatch: real-time card-fraud detection, on AWS or whole on this machine.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
_PASSTHROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}


@app.command()
def demo(
    cards: Annotated[int, typer.Option(help="cards to simulate", min=1)] = 100,
    days: Annotated[int, typer.Option(help="days to simulate", min=1)] = 14,
    summary_json: Annotated[
        str | None, typer.Option(help="where to write the summary (default: state folder)")
    ] = None,
    ephemeral: Annotated[
        bool,
        typer.Option(
            help="run on a private embedded AWS in this process instead of the running stack "
            "(`cardwatch local up`, started in the background if none runs)"
        ),
    ] = False,
    wait_for_digests: Annotated[
        bool,
        typer.Option(
            help="also wait for the storm digests (mailed once their window closes, up to "
            "three minutes after the last fraud) instead of reporting them as pending"
        ),
    ] = False,
    delayed_labels: Annotated[
        bool,
        typer.Option(
            help="the feedback loop instead: day by day on a private embedded AWS, outcomes "
            "uploaded as labels days later, a weekly retraining from the store, alert "
            "precision per day and week"
        ),
    ] = False,
    control: Annotated[
        bool,
        typer.Option(
            help="with --delayed-labels: play the same days again with every label withheld "
            "and show the weeks side by side (what the labels changed)"
        ),
    ] = False,
) -> None:
    """Run the main job: the whole pipeline on this machine, with a summary."""
    from pathlib import Path

    from cardwatch_local.demo import run_demo
    from cardwatch_local.pipeline_demo import DemoSize

    path = Path(summary_json) if summary_json else None
    size = DemoSize(cards=cards, days=days)
    if delayed_labels:
        from cardwatch_local.feedback_demo import run_feedback_demo

        raise typer.Exit(code=run_feedback_demo(console, size, path, control=control))
    from cardwatch_local.running_demo import DemoError

    try:
        code = run_demo(console, size, path, ephemeral=ephemeral, wait_for_digests=wait_for_digests)
    except DemoError as exc:
        console.print(f"[red]the demo could not run[/]: {escape(str(exc))}")
        raise typer.Exit(code=1) from exc
    raise typer.Exit(code=code)


@app.command()
def chaos(
    transactions: Annotated[
        int, typer.Option(min=50, help="simulated transactions to upload (at least 50)")
    ] = 100_000,
    summary_json: Annotated[
        str | None, typer.Option(help="where to write the table as JSON (default: state folder)")
    ] = None,
) -> None:
    """Inject faults into the whole local pipeline; exit 1 unless nothing was lost or doubled.

    Every fault is a setting (CARDWATCH_CHAOS_*, see docs/chaos.md)."""
    from pathlib import Path

    from cardwatch_local.chaos_plan import ChaosPlan
    from cardwatch_local.chaos_run import run_chaos

    plan = ChaosPlan(transactions=transactions)
    path = Path(summary_json) if summary_json else None
    raise typer.Exit(code=run_chaos(console, plan, path))


def _stack_store() -> StoreHandles:
    """The models bucket and the verdicts and labels tables of the stack the app talks to."""
    from cardwatch_ml.store_export import StoreHandles
    from cardwatch_tui.settings import TuiSettings
    from cardwatch_tui.stack_client import StackClient

    stack = StackClient(TuiSettings())
    names = stack.names
    if names.labels_table is None:
        raise typer.BadParameter("this stack has no labels table: deploy the core stack again")
    return StoreHandles(
        stack.aws("dynamodb"), stack.aws("s3"), names.verdicts_table, names.labels_table,
        names.bucket,
    )  # fmt: skip


def _register_model_commands() -> None:
    """`cardwatch model …` and `cardwatch simulate` come from cardwatch_ml; retraining and
    publishing find the stack the way the terminal app does."""
    from cardwatch_ml.cli import app as model_app
    from cardwatch_ml.cli import simulate as simulate_command
    from cardwatch_ml.cli import use_store_locator

    use_store_locator(_stack_store)
    app.add_typer(model_app, name="model")
    app.command(name="simulate")(simulate_command)


_register_model_commands()


@app.command(context_settings=_PASSTHROUGH)
def tui(_ctx: typer.Context) -> None:
    """Open the terminal app: enter, upload and watch transactions."""
    from cardwatch_tui.app import main as run_tui

    run_tui()


@app.command()
def settings(
    write: Annotated[
        Path | None,
        typer.Option(help="write the page here (docs/settings.md) instead of showing it"),
    ] = None,
) -> None:
    """Every environment variable of every entry point: type, default and meaning."""
    from rich.table import Table

    from cardwatch_local.settings_reference import ENTRY_POINTS, reference, rows

    if write is not None:
        try:
            write.write_text(reference(), encoding="utf-8")
        except OSError as error:
            reason = f"[red]could not write {escape(str(write))}[/]: {error.strerror}"
            console.print(reason, soft_wrap=True)
            raise typer.Exit(code=1) from error
        console.print(f"wrote {write}")
        return
    for entry in ENTRY_POINTS:
        table = Table(title=entry.title, caption=f"read by {entry.readers}", title_justify="left")
        found = rows(entry)
        table.add_column("variable", min_width=max(len(row[0]) for row in found), no_wrap=True)
        for name in ("value", "default", "what it sets"):
            table.add_column(name)
        for row in found:
            table.add_row(*(cell.replace("`", "") for cell in row))
        console.print(table)


def _register_local_commands() -> None:
    """`cardwatch local …` and `cardwatch dlq …`."""
    from cardwatch_local.local_cli import dlq_app, local_app, logs_app

    app.add_typer(local_app, name="local", help="Start, stop, inspect or reset the local stack.")
    app.add_typer(dlq_app, name="dlq", help="List and show the dead-letter queues.")
    app.add_typer(logs_app, name="logs", help="Tail function logs or run the saved queries.")


_register_local_commands()


def _register_rules_commands() -> None:
    """`cardwatch rules …`."""
    from cardwatch_local.rules_cli import rules_app

    app.add_typer(rules_app, name="rules")


_register_rules_commands()


def _register_label_command() -> None:
    """`cardwatch label …`."""
    from cardwatch_local.label_cli import label

    app.command(name="label")(label)


_register_label_command()


def main() -> None:
    """Console-script entry point. An emulator that cannot start (its port taken, say), a stack
    that cannot be reached (not started) or AWS without credentials is one line of reason and exit
    code 1, whichever command met it, not a traceback."""
    try:
        app()
    except EmulatorError as exc:
        message = f"[red]the local stack could not start[/]: {escape(str(exc))}"
        console.print(message, soft_wrap=True)
        raise SystemExit(1) from exc
    except StackUnreachableError as exc:
        console.print(f"[red]{escape(str(exc))}[/]", soft_wrap=True)
        raise SystemExit(1) from exc
    except Exception as exc:
        if not _no_credentials(exc):
            raise
        console.print(f"[red]{NO_CREDENTIALS}[/]", soft_wrap=True)
        raise SystemExit(1) from exc


NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) "
    "to reach a deployed stack"
)


def _no_credentials(error: Exception) -> bool:
    """botocore's missing-credentials error, named without importing botocore at start-up (a
    command that never made a client cannot have raised it)."""
    exceptions = sys.modules.get("botocore.exceptions")
    return exceptions is not None and isinstance(error, exceptions.NoCredentialsError)


if __name__ == "__main__":
    main()
