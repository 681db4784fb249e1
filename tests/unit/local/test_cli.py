"""`cardwatch --help` lists the sub-commands (the demo itself: tests/e2e/test_demo_pipeline.py)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from cardwatch_local.cli import app

pytestmark = pytest.mark.unit
runner = CliRunner()


def test_help_lists_every_sub_command() -> None:
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    for command in ("local", "demo", "model", "tui", "dlq", "logs", "simulate"):
        assert re.search(rf"│ {command}\s", result.output), command


def test_label_refuses_a_malformed_id_and_an_unknown_outcome() -> None:
    bad_id = runner.invoke(app, ["label", "tx 1; drop", "fraud"])
    assert bad_id.exit_code == 2
    assert "is not a transaction id" in bad_id.output
    bad_outcome = runner.invoke(app, ["label", "tx-1", "maybe"])
    assert bad_outcome.exit_code == 2


def test_chaos_refuses_fewer_transactions_than_its_plan_takes() -> None:
    result = runner.invoke(app, ["chaos", "--transactions", "10"], env={"COLUMNS": "120"})
    assert result.exit_code == 2
    assert "Invalid value for '--transactions'" in result.output
    assert "greater than or equal to 50" in result.output
