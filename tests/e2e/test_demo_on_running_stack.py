"""`cardwatch demo` as a client of the running stack: the first run starts `local up` in the
background and trains a model; the second reuses both; nothing is lost or scored twice, and
every fraud verdict has its alert."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cardwatch_local.cli import app
from cardwatch_local.pipeline_demo import DemoSize
from cardwatch_local.running_demo import run_against_stack
from cardwatch_local.serve import running_state
from cardwatch_local.settings import LocalSettings
from tests.support.leaks import assert_clean

pytestmark = pytest.mark.e2e
SIZE = DemoSize(cards=30, days=4, train_cards=250, train_days=25)


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CARDWATCH_LOCAL_PORT", "0")
    monkeypatch.setenv("CARDWATCH_LOCAL_STATE_DIR", str(tmp_path))
    yield tmp_path
    if running_state(LocalSettings()) is not None:
        CliRunner().invoke(app, ["local", "down"])


def _run(console: Console, path: Path) -> dict[str, object]:
    assert run_against_stack(console, SIZE, path, wait_for_digests=True) == 0, path.read_text()
    summary: dict[str, object] = json.loads(path.read_text())
    return summary


def test_two_runs_on_one_stack(state_dir: Path) -> None:
    console = Console(record=True, width=160)
    first = _run(console, state_dir / "first.json")
    assert first["stack_reused"] is False
    assert first["lost"] == first["duplicate_verdicts"] == 0
    assert first["verdicts"] == first["rows_accepted"]
    assert first["alerts_sent"] == first["frauds_flagged"]
    assert running_state(LocalSettings()) is not None, "the stack outlives the demo"
    second = _run(console, state_dir / "second.json")
    assert second["stack_reused"] is True
    assert second["run"] == 2
    assert second["model_version"] == first["model_version"]
    assert second["lost"] == second["duplicate_verdicts"] == 0
    assert second["verdicts"] == second["rows_accepted"]
    assert second["alerts_sent"] == second["frauds_flagged"]
    assert_clean(console.export_text(), "the console")
    scan = CliRunner().invoke(app, ["local", "scan"])
    assert scan.exit_code == 0, scan.output
    for searched in ("s3 objects", "dynamodb items", "log events", "local files"):
        assert searched in scan.output
    down = CliRunner().invoke(app, ["local", "down"])
    assert down.exit_code == 0, down.output
