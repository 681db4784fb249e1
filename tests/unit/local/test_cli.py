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
