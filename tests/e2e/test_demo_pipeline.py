"""The demo's path, small: upload → ingest → Kinesis → scorer → verdicts → notifier → mailbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from cardwatch_local.pipeline_demo import BAD_ROWS, DemoSize, run_pipeline_demo
from cardwatch_shared.scrubber import contains_card_number

pytestmark = pytest.mark.e2e


def test_small_demo_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARDWATCH_LOCAL_PORT", "0")
    monkeypatch.setenv("CARDWATCH_LOCAL_STATE_DIR", str(tmp_path))
    summary_path = tmp_path / "summary.json"
    console = Console(record=True, width=120)
    code = run_pipeline_demo(console, DemoSize(cards=30, days=4, train_cards=250, train_days=25),
                             summary_path)  # fmt: skip
    summary = json.loads(summary_path.read_text())
    assert code == 0, summary
    assert summary["lost"] == 0
    assert summary["duplicate_verdicts"] == 0
    assert summary["verdicts"] == summary["rows_accepted"] > 100
    assert summary["rows_rejected"] == len(BAD_ROWS)
    assert summary["rows_uploaded"] == summary["rows_accepted"] + summary["rows_rejected"]
    reasons = summary["rejected_by_reason"]
    assert reasons["card number fails the Luhn check"] == 1
    assert reasons["amount must be positive"] == 1
    assert reasons["currency XYZ is not supported"] == 1
    assert reasons["Input should have timezone info"] == 1
    assert reasons["looks like a card number; card numbers belong in card_number only"] == 1
    assert summary["alerts_sent"] == summary["frauds_flagged"], "one email per fraud verdict"
    assert summary["dlq_messages"] == 0
    mails = list((tmp_path / "mailbox").glob("*.eml"))
    assert len(mails) == summary["alerts_sent"]
    for mail in mails:
        assert not contains_card_number(mail.read_text())
    assert not contains_card_number(console.export_text())
