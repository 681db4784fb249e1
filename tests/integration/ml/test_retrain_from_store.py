"""Retraining from the store, through the CLI against moto: what the scorer stored and the labels
known at a cut-off make a candidate, which is published (not live) with a side-by-side report on
the recent window; `promote` heeds the report."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from cardwatch_local.cli import app
from cardwatch_ml.bundle import BundleStore
from cardwatch_ml.model_comparison import ModelComparison
from cardwatch_shared.aws_clients import client
from cardwatch_shared.model_manifest import BundleError
from tests.support.models import amount_model, publish
from tests.support.store_history import LABEL_DELAY, store_what_the_system_saw
from tests.support.tables import create_table

pytestmark = pytest.mark.integration
BUCKET, VERDICTS, LABELS = "rt-models", "rt-verdicts", "rt-labels"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_retrain_from_the_store_publishes_a_better_candidate_beside_its_report(
    aws_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dynamodb, s3 = client("dynamodb"), client("s3")
    create_table(dynamodb, "VerdictsTable", VERDICTS)
    create_table(dynamodb, "LabelsTable", LABELS)
    s3.create_bucket(Bucket=BUCKET)
    for name, value in {
        "CARDWATCH_MODELS_BUCKET": BUCKET,
        "CARDWATCH_VERDICTS_TABLE": VERDICTS,
        "CARDWATCH_LABELS_TABLE": LABELS,
    }.items():
        monkeypatch.setenv(name, value)
    seen = store_what_the_system_saw(VERDICTS, LABELS)
    publish(s3, BUCKET, amount_model("live-amount-only", cutoff=300.0))  # the live model
    last: datetime = seen["timestamp"].max()  # type: ignore[assignment]
    cutoff = last + timedelta(hours=1)

    code, out = run(
        "model", "train", "--from-store", "--cutoff", cutoff.strftime("%Y-%m-%dT%H:%M:%S"),
        "--out", str(tmp_path / "candidate"), "--alerts-per-day", "20",
    )  # fmt: skip
    assert code == 0, out
    known = seen.filter(
        (pl.col("label") == 1) & (pl.col("timestamp") + LABEL_DELAY <= cutoff)
    ).height
    assert f"exported {seen.height:,} transactions seen, {known:,} labelled fraud" in out
    store = BundleStore(s3, BUCKET)
    candidate = json.loads((tmp_path / "candidate" / "manifest.json").read_text())["version"]
    comparison = store.comparison(candidate)
    assert comparison is not None
    assert comparison.current_version == "live-amount-only"
    assert comparison.window_start == cutoff.replace(tzinfo=comparison.cutoff.tzinfo) - timedelta(
        days=7
    )
    assert (
        comparison.window_transactions
        == seen.filter(pl.col("timestamp") >= cutoff - timedelta(days=7)).height
    )
    assert comparison.current is not None
    ap, live_ap = (m["average_precision"] for m in (comparison.candidate, comparison.current))
    assert comparison.better is (ap > live_ap)
    assert comparison.better, comparison.why  # a model of the real features beats amount alone
    assert "average_precision" in out
    assert candidate in out
    pointer = store.current()
    assert pointer is not None
    assert pointer.version == "live-amount-only"  # published as a candidate, not live

    code, out = run("model", "promote", candidate)
    assert code == 0, out
    assert store.current().version == candidate  # type: ignore[union-attr]


def test_a_candidate_that_is_not_better_is_refused_unless_forced(
    aws_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = client("s3")
    s3.create_bucket(Bucket=BUCKET)
    monkeypatch.setenv("CARDWATCH_MODELS_BUCKET", BUCKET)
    store = BundleStore(s3, BUCKET)
    publish(s3, BUCKET, amount_model("live"))
    publish(s3, BUCKET, amount_model("worse"), promote=False)
    metrics = {"average_precision": 0.2}
    store.save_comparison(
        ModelComparison(
            candidate_version="worse", current_version="live", cutoff="2026-11-20T00:00:00Z",
            window_start="2026-11-13T00:00:00Z", window_transactions=100, window_frauds=5,
            candidate=metrics, current={"average_precision": 0.3}, better=False,
            why="average precision 0.2000 <= 0.3000 of the live model",
        )
    )  # fmt: skip
    with pytest.raises(BundleError, match="not better than the live model"):
        store.promote("worse")
    code, out = run("model", "promote", "worse")
    assert code == 1
    assert "refused" in out
    assert store.current().version == "live"  # type: ignore[union-attr]
    code, out = run("model", "promote", "worse", "--force")
    assert code == 0, out
    assert store.current().version == "worse"  # type: ignore[union-attr]
