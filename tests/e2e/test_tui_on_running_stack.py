"""The terminal app on the running local stack: a transaction typed in the form, uploaded from
the batch, comes back as a verdict in the Verdicts table; its card, typed into the Operations
screen's list form, lands on the block list under the same token ingest gave it; the rules CLI
refuses a broken rule set and backtests the example on the stored verdict."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static
from typer.testing import CliRunner

from cardwatch_local.cli import app as cli_app
from cardwatch_local.pipeline_demo import DemoSize, train_demo_model
from cardwatch_local.running_demo import client_environment
from cardwatch_local.serve import wait_for_state
from cardwatch_local.settings import LocalSettings
from cardwatch_local.stack import read
from cardwatch_tui.app import CardwatchApp
from cardwatch_tui.settings import TuiSettings
from cardwatch_tui.stack_client import StackClient
from tests.unit.tui.app_under_test import NOW, add_transaction, settle

pytestmark = pytest.mark.e2e


async def test_a_typed_transaction_gets_a_verdict(
    local_up: subprocess.Popen[str], tmp_path: Path
) -> None:
    state = wait_for_state(LocalSettings(), timeout_s=240)
    assert state is not None, "local up wrote no state file"
    with client_environment(state["endpoint"]) as clients:
        train_demo_model(read(clients), clients, DemoSize(cards=20, days=3))
    settings = TuiSettings(
        tui_outbox_dir=tmp_path / "outbox",
        local_state_dir=LocalSettings().local_state_dir,
        environment="local",
        tui_poll_interval_s=0.5,
    )
    app = CardwatchApp(settings, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await add_transaction(pilot, "4111111111111111", transaction_id="tui-e2e-1")
        await pilot.press("ctrl+u")
        await settle(pilot, lambda: app.batch.uploaded_key is not None, timeout_s=60)
        await pilot.press("f4")
        table = app.query_one("#verdicts-table", DataTable)
        await settle(pilot, lambda: table.row_count > 0, timeout_s=120)
        assert table.row_count == 1
        assert str(table.get_row_at(0)[0]) == "tui-e2e-1"
        await pilot.press("f6")
        app.query_one("#list-value", Input).value = "4111 1111 1111 1111"
        app.query_one("#list-reason", Input).value = "reported stolen"
        app.query_one("#list-reason", Input).focus()
        await pilot.press("enter")
        info = app.query_one("#rules-info", Static)
        await settle(pilot, lambda: "1 list entries" in str(info.render()), timeout_s=30)
        assert app.query_one("#list-value", Input).value == ""
        await _refused_entry_says_why(app, pilot)
    stack = StackClient(settings)
    live = stack.live_rules()
    assert live is not None
    (entry,) = live[1].lists
    (verdict,) = stack.verdicts(["tui-e2e-1"])
    assert (entry.kind.value, entry.action, entry.last4) == ("card", "block", "1111")
    assert entry.value == verdict["card_token"]  # the stack's key, as ingest used it
    check_rules_cli(tmp_path, live[0].version)


async def _refused_entry_says_why(app: CardwatchApp, pilot: Pilot[None]) -> None:
    """An entry the rule set's contract refuses is named in its words, and nothing is added."""
    app.query_one("#list-kind", Select).value = "terminal"
    app.query_one("#list-value", Input).value = "T-1"
    app.query_one("#list-reason", Input).value = "x" * 161
    app.query_one("#list-reason", Input).focus()
    await pilot.press("enter")
    info = app.query_one("#rules-info", Static)
    await settle(pilot, lambda: "not added" in str(info.render()), timeout_s=30)
    assert str(info.render()) == "rules: not added — reason must have at most 160 characters"


def check_rules_cli(tmp_path: Path, live_version: str) -> None:
    runner = CliRunner()
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules:\n  - name: x\n    description: d\n    action: block\n")
    refused = runner.invoke(cli_app, ["rules", "publish", str(broken)])
    assert refused.exit_code == 2
    assert "line 2" in refused.output
    assert "when" in refused.output
    shown = runner.invoke(cli_app, ["rules", "show"])
    assert live_version in shown.output
    example = Path(__file__).resolve().parents[2] / "examples" / "rules" / "example.yaml"
    tested = runner.invoke(cli_app, ["rules", "test", str(example)], env={"COLUMNS": "200"})
    assert tested.exit_code == 0, tested.output
    assert "rules over 1 verdicts" in tested.output
    assert "card_testing_burst" in tested.output
