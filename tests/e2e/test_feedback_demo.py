"""`cardwatch demo --delayed-labels`, small: day by day, outcomes uploaded as labels CSVs days
later reach the labels function through its rule and give terminals a fraud risk the scorer uses;
every day has its row, labels only accumulate, nothing refused, no card number shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cardwatch_local.cli import app
from tests.support.leaks import assert_clean

pytestmark = pytest.mark.e2e
DAYS = 16


def test_delayed_labels_reach_the_terminals_day_by_day(tmp_path: Path) -> None:
    env = {
        "COLUMNS": "200",
        "CARDWATCH_LOCAL_PORT": "0",
        "CARDWATCH_LOCAL_STATE_DIR": str(tmp_path),
    }
    args = ["demo", "--delayed-labels", "--cards", "40", "--days", str(DAYS)]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "alerts by week" in result.output
    assert_clean(result.output, "the console")
    summary = json.loads((tmp_path / "feedback-summary.json").read_text())
    days = summary["days"]
    assert len(days) == DAYS
    assert [d["day"] for d in days] == sorted(d["day"] for d in days)
    known = [d["labels_known"] for d in days]
    assert known == sorted(known)  # labels only accumulate
    assert known[0] == 0
    assert known[-1] > 0
    assert summary["labels_sent"] >= known[-1]
    assert summary["labels_refused"] == 0
    assert summary["verdicts_with_terminal_risk"] > 0  # the labels moved terminal risk online
    assert summary["card_number_leaks"] == 0
    assert [w["week"] for w in summary["weeks"]] == [1, 2, 3]
    assert sum(w["transactions"] for w in summary["weeks"]) == sum(d["transactions"] for d in days)
