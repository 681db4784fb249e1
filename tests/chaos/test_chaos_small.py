"""A small chaos run in `make test` (the full size is `make chaos`): every fault injected at
least once, and still nothing lost, nothing twice, state exact, one alert per fraud."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from cardwatch_local.chaos_plan import ChaosPlan
from cardwatch_local.chaos_run import run_chaos

pytestmark = pytest.mark.chaos

FAULTS = (
    "card_race",
    "duplicate_upload",
    "dynamodb_throttle",
    "ingest_death",
    "notifier_publish_failure",
    "put_records_throttled",
    "scorer_crash",
    "transaction_conflict",
    "worker_kill",
)


def test_small_chaos_run_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARDWATCH_LOCAL_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("CARDWATCH_LOCAL_PORT", "0")
    # Few enough faults that no batch can meet more of them than the mapping's retries absorb
    # (a batch whose retries run out goes to the DLQ, as designed, and its cards would miss it).
    plan = ChaosPlan(
        transactions=300,
        worker_kills=1,
        scorer_crashes=2,
        dynamodb_throttles=1,
        card_races=1,
        transaction_conflicts=2,
        fault_spacing=7,
        notifier_publish_failures=2,
        put_records_failure_share=0.1,
    )
    summary_path = tmp_path / "summary.json"
    code = run_chaos(Console(width=200), plan, summary_path)
    summary = json.loads(summary_path.read_text())
    assert code == 0, summary
    assert summary["lost"] == 0
    assert summary["duplicate_verdicts"] == 0
    assert summary["state_double_counts"] == 0
    assert summary["state_missing_counts"] == 0
    assert summary["alerts_sent"] == summary["fraud_verdicts"] > 0
    assert summary["alerts_duplicated"] == 0
    assert summary["rejected"] == 5
    assert summary["verdicts"] == summary["sent"]
    for fault in FAULTS:
        assert summary["faults"].get(fault, 0) >= 1, fault
    assert summary["card_number_leaks"] == 0, summary["leak_scan"]["first_leaks"]
    scanned = summary["leak_scan"]["scanned"]
    assert scanned["dynamodb items"] > summary["verdicts"]
    assert scanned["s3 objects"] > 0
    assert scanned["local files"] > 0
    assert sum(summary["dlq_reasons"].values()) == sum(summary["dlq"].values())
    parked = {queue: n for queue, n in summary["dlq"].items() if n}
    assert list(parked) == [q for q in summary["dlq"] if "scorer" in q.lower()], parked
