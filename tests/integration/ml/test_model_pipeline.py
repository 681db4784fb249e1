"""simulate → train → evaluate → publish → promote → rollback, through the CLI, against moto."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cardwatch_local.cli import app
from cardwatch_shared.aws_clients import client
from tests.support.models import amount_model

pytestmark = pytest.mark.integration
runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_end_to_end(tmp_path: Path, aws_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARDWATCH_MODELS_BUCKET", "cardwatch-models-test")
    client("s3").create_bucket(Bucket="cardwatch-models-test")
    csv_path, labels = tmp_path / "sim.csv", tmp_path / "sim.labels.csv"
    run(
        "simulate",
        "--days",
        "30",
        "--cards",
        "300",
        "--terminals",
        "600",
        "--out",
        str(csv_path),
        "--labels",
        str(labels),
    )
    out = run(
        "model",
        "train",
        "--data",
        str(csv_path),
        "--labels",
        str(labels),
        "--out",
        str(tmp_path / "b1"),
        "--alerts-per-day",
        "10",
    )
    assert "(chosen)" in out
    report = tmp_path / "report"
    run(
        "model",
        "evaluate",
        "--bundle",
        str(tmp_path / "b1"),
        "--data",
        str(csv_path),
        "--labels",
        str(labels),
        "--report",
        str(report),
    )
    result = json.loads((report / "metrics.json").read_text())
    assert result["auc_roc"] > 0.8
    for png in (
        "precision_recall.png",
        "roc.png",
        "score_distribution.png",
        "feature_importance.png",
    ):
        assert (report / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    first = json.loads((tmp_path / "b1" / "manifest.json").read_text())["version"]
    run("model", "publish", "--bundle", str(tmp_path / "b1"), "--promote")
    run(
        "model",
        "train",
        "--data",
        str(csv_path),
        "--labels",
        str(labels),
        "--out",
        str(tmp_path / "b2"),
        "--seed",
        "7",
    )
    second = json.loads((tmp_path / "b2" / "manifest.json").read_text())["version"]
    run("model", "publish", "--bundle", str(tmp_path / "b2"))
    assert second in run("model", "list")
    run("model", "promote", second)
    pointer = json.loads(
        client("s3")
        .get_object(Bucket="cardwatch-models-test", Key="models/current.json")["Body"]
        .read()
    )
    assert pointer["version"] == second
    assert pointer["previous"] == [first]
    assert first in run("model", "rollback")


def test_a_named_bucket_needs_no_stack(
    tmp_path: Path, aws_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--bucket` publishes to that bucket without looking for a deployed stack."""
    monkeypatch.delenv("CARDWATCH_MODELS_BUCKET", raising=False)
    client("s3").create_bucket(Bucket="cardwatch-named-bucket")
    bundle = amount_model("named-1")
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "manifest.json").write_text(bundle.manifest.model_dump_json())
    (folder / bundle.manifest.model_file).write_bytes(bundle.model_bytes)
    run("model", "publish", "--bundle", str(folder), "--bucket", "cardwatch-named-bucket")
    keys = client("s3").list_objects_v2(Bucket="cardwatch-named-bucket")["Contents"]
    assert {"models/named-1/manifest.json", "models/named-1/model.skops"} <= {
        k["Key"] for k in keys
    }
    listed = run("model", "list", "--bucket", "cardwatch-named-bucket")
    assert "named-1" in listed


def test_promote_or_rollback_without_the_model_refuses_in_one_line(
    aws_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARDWATCH_MODELS_BUCKET", "cardwatch-models-empty")
    client("s3").create_bucket(Bucket="cardwatch-models-empty")
    for args, reason in (
        (
            ["promote", "nope"],
            "refused: no published model nope: `cardwatch model list` shows them",
        ),
        (["rollback"], "refused: no previous model to roll back to"),
    ):
        result = runner.invoke(app, ["model", *args], env={"COLUMNS": "200"})
        assert result.exit_code == 1, result.output
        assert result.output.strip() == reason
