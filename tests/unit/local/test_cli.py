"""`cardwatch --help` lists the sub-commands; the demo runs what exists and masks cards."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cardwatch_local.cli import app
from cardwatch_local.components import COMPONENTS
from cardwatch_shared.scrubber import contains_card_number

pytestmark = pytest.mark.unit
runner = CliRunner()


def test_help_lists_every_sub_command() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    for command in ("local", "demo", "model", "tui", "dlq", "logs", "simulate"):
        assert re.search(rf"│ {command}\s", result.output), command


def test_demo_reports_components_and_masks_cards(tmp_path: Path) -> None:
    env = {
        "COLUMNS": "200",
        "CARDWATCH_LOCAL_PORT": "0",
        "CARDWATCH_LOCAL_STATE_DIR": str(tmp_path),
    }
    result = runner.invoke(app, ["demo", "--ephemeral", "--cards", "20", "--days", "3"], env=env)
    assert result.exit_code == 0, result.output
    for part in COMPONENTS:
        assert part.name in result.output
    assert "4 accepted, 2 rejected of 6 rows" in result.output
    assert "card number fails the Luhn check" in result.output
    assert "•••• 4444" in result.output
    assert not contains_card_number(result.output)
    assert "lost" in result.output
    assert (tmp_path / "demo-summary.json").exists()
    missing = [p for p in COMPONENTS if not p.built]
    if missing:
        assert "Not there yet" in result.output
