"""The terminal app on the running local stack: a transaction typed in the form, uploaded from
the batch, comes back as a verdict in the Verdicts table."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from textual.widgets import DataTable

from cardwatch_local.pipeline_demo import DemoSize, train_demo_model
from cardwatch_local.running_demo import client_environment
from cardwatch_local.serve import wait_for_state
from cardwatch_local.settings import LocalSettings
from cardwatch_local.stack import read
from cardwatch_tui.app import CardwatchApp
from cardwatch_tui.settings import TuiSettings
from tests.unit.tui.app_under_test import NOW, settle, type_transaction

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
        await type_transaction(pilot, "4111111111111111", transaction_id="tui-e2e-1")
        await pilot.press("enter")
        await pilot.press("ctrl+u")
        await settle(pilot, lambda: app.batch.uploaded_key is not None, timeout_s=60)
        await pilot.press("f4")
        table = app.query_one("#verdicts-table", DataTable)
        await settle(pilot, lambda: table.row_count > 0, timeout_s=120)
        assert table.row_count == 1
        assert str(table.get_row_at(0)[0]) == "tui-e2e-1"
