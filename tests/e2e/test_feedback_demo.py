"""`cardwatch demo --delayed-labels`, small: day by day, outcomes uploaded as labels CSVs days
later reach the labels function through its rule and give terminals confirmed-fraud counts; every
day has its row and its model, labels only accumulate, nothing refused, no card number shown; the
weekly retraining runs and, with two weeks of history, says why it cannot train yet."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from rich.progress import Progress
from typer.testing import CliRunner

from cardwatch_local.cli import app
from cardwatch_local.feedback_demo import run_arm, run_feedback_demo
from cardwatch_local.pipeline_demo import DemoSize
from cardwatch_local.settings import LocalSettings
from tests.support.leaks import assert_clean

pytestmark = pytest.mark.e2e
DAYS = 16


def test_the_demo_command_offers_the_feedback_loop() -> None:
    result = CliRunner().invoke(app, ["demo", "--help"], env={"COLUMNS": "200"})
    assert "--delayed-labels" in result.output


def test_delayed_labels_reach_the_terminals_day_by_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARDWATCH_LOCAL_PORT", "0")
    monkeypatch.setenv("CARDWATCH_LOCAL_STATE_DIR", str(tmp_path))
    console = Console(file=io.StringIO(), width=200)
    size = DemoSize(cards=40, days=DAYS, train_cards=200, train_days=30)
    code = run_feedback_demo(console, size, None)
    summary = json.loads((tmp_path / "feedback-summary.json").read_text())
    assert code == 0, {k: v for k, v in summary.items() if k not in {"days", "weeks"}}
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "alerts by week" in output
    assert_clean(output, "the console")
    days = summary["days"]
    assert len(days) == DAYS
    assert [d["day"] for d in days] == sorted(d["day"] for d in days)
    known = [d["labels_known"] for d in days]
    assert known == sorted(known)  # labels only accumulate
    assert known[0] == 0
    assert known[-1] > 0
    assert summary["labels_sent"] >= known[-1]
    assert summary["labels_refused"] == 0
    assert summary["terminals_with_known_fraud"] > 0  # the labels reached the terminals' state
    assert summary["verdicts_with_terminal_risk"] == 0  # the go-live model has no label features
    assert {d["model"] for d in days} == {summary["model_version"].split("-")[0]}
    steps = summary["retrains"]
    assert [s["cutoff"] for s in steps] == [days[7]["day"], days[14]["day"]]
    assert [s["outcome"] for s in steps] == ["cannot retrain"] * 2
    assert all("not enough history" in s["why"] for s in steps)
    assert steps[1]["labelled_fraud"] > 0
    assert summary["card_number_leaks"] == 0
    assert [w["week"] for w in summary["weeks"]] == [1, 2, 3]
    assert sum(w["transactions"] for w in summary["weeks"]) == sum(d["transactions"] for d in days)


def test_the_control_withholds_every_label(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control arm plays the days with no label: no terminal ever has a known fraud."""
    monkeypatch.setenv("CARDWATCH_LOCAL_PORT", "0")
    monkeypatch.setenv("CARDWATCH_LOCAL_STATE_DIR", str(tmp_path))
    size = DemoSize(cards=30, days=10, train_cards=200, train_days=30)
    with Progress(console=Console(file=io.StringIO())) as progress:
        arm = run_arm(LocalSettings(), size, progress, withhold=True)
    assert len(arm.rows) == 10
    assert sum(d["frauds"] for d in arm.rows) > 0
    assert arm.labels_sent == 0
    assert [d["labels_known"] for d in arm.rows] == [0] * 10
    assert arm.verdicts_with_terminal_risk == 0
    assert arm.terminals_with_known_fraud == 0
    assert [(s.outcome, s.labelled_fraud) for s in arm.retrains] == [("cannot retrain", 0)]
    assert not arm.leaks.leaks


def test_the_demo_command_offers_the_control() -> None:
    result = CliRunner().invoke(app, ["demo", "--help"], env={"COLUMNS": "200"})
    assert "--control" in result.output
