"""`cardwatch demo --ephemeral`, small: the components table, the contract preview, then upload →
ingest → Kinesis → scorer → verdicts → notifier → mailbox, nothing lost, no card number shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cardwatch_local.cli import app
from cardwatch_local.components import COMPONENTS
from cardwatch_local.pipeline_demo import BAD_ROWS
from tests.support.leaks import assert_clean

pytestmark = pytest.mark.e2e


def test_small_demo_loses_nothing(tmp_path: Path) -> None:
    env = {
        "COLUMNS": "200",
        "CARDWATCH_LOCAL_PORT": "0",
        "CARDWATCH_LOCAL_STATE_DIR": str(tmp_path),
    }
    result = CliRunner().invoke(
        app, ["demo", "--ephemeral", "--cards", "30", "--days", "4"], env=env
    )
    assert result.exit_code == 0, result.output
    for part in COMPONENTS:
        assert part.name in result.output
    assert "4 accepted, 2 rejected of 6 rows" in result.output
    assert "•••• 4444" in result.output
    assert_clean(result.output, "the console")
    summary = json.loads((tmp_path / "demo-summary.json").read_text())
    assert summary["lost"] == 0
    assert summary["duplicate_verdicts"] == 0
    assert summary["verdicts"] == summary["rows_accepted"] > 100
    assert summary["rows_rejected"] == len(BAD_ROWS)
    assert summary["rows_uploaded"] == summary["rows_accepted"] + summary["rows_rejected"]
    reasons = summary["rejected_by_reason"]
    assert reasons["card number fails the Luhn check"] == 1
    assert reasons["amount must be positive"] == 1
    assert reasons["currency XYZ is not supported"] == 1
    assert reasons["timestamp needs a UTC offset, e.g. 2026-11-20T09:15:00+01:00"] == 1
    assert reasons["looks like a card number; card numbers belong in card_number only"] == 1
    assert summary["alerts_sent"] == summary["frauds_flagged"], "one email per fraud verdict"
    assert summary["dlq_messages"] == 0
    assert summary["card_number_leaks"] == 0, summary["leak_scan"]["first_leaks"]
    assert summary["leak_scan"]["scanned"]["dynamodb items"] >= summary["verdicts"]
    mails = list((tmp_path / "mailbox").glob("*.eml"))
    assert len(mails) == summary["alerts_sent"]
    for mail in mails:
        assert_clean(mail.read_text(), mail.name)
