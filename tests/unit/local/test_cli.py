"""`cardwatch --help` lists the sub-commands (the demo itself: tests/e2e/test_demo_pipeline.py)."""

from __future__ import annotations

import re
from pathlib import Path

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


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["simulate", "--days", "0"], "--days"),
        (["simulate", "--cards", "-1"], "--cards"),
        (["simulate", "--terminals", "0"], "--terminals"),
        (["demo", "--cards", "0"], "--cards"),
        (["demo", "--days", "0"], "--days"),
    ],
)
def test_a_size_below_one_is_a_usage_error(args: list[str], option: str) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "120"})
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.output


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["model", "train", "--data", "/no/such.csv", "--labels", "/no/such.labels.csv"], "--data"),
        (["model", "evaluate", "--bundle", "/no/such", "--data", "/no/such.csv"], "--bundle"),
        (["model", "publish", "--bundle", "/no/such"], "--bundle"),
        (["model", "benchmark", "--handbook", "/no/such.parquet"], "--handbook"),
    ],
)
def test_a_missing_input_is_a_usage_error_that_names_it(args: list[str], option: str) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "120"})
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.output
    assert "does not exist" in result.output


def test_settings_that_cannot_be_written_say_why(tmp_path: Path) -> None:
    result = runner.invoke(app, ["settings", "--write", str(tmp_path / "no" / "such.md")])
    assert result.exit_code == 1
    assert result.output.startswith(f"could not write {tmp_path}")
    assert "No such file or directory" in result.output


@pytest.mark.parametrize("command", ["publish", "evaluate"])
def test_a_folder_without_a_bundle_is_a_usage_error(command: str, tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("transaction_id\n")
    args = ["model", command, "--bundle", str(tmp_path), "--data", str(data)]
    result = runner.invoke(app, args[: 4 if command == "publish" else 6], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert f"{tmp_path} is not a model bundle" in result.output
