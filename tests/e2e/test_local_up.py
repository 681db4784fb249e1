"""`cardwatch local up` in its own process: the stacks come up from the templates, `status` and
`dlq list` read them, an upload reaches ingest through the rule, and `down` stops it cleanly."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cardwatch_local.cli import app
from cardwatch_local.serve import wait_for_state
from cardwatch_local.settings import LocalSettings
from tests.support.local_stack import local_s3, wait_until

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "examples" / "rules" / "example.yaml"
runner = CliRunner()


def _wait_for_key(s3: Any, bucket: str, key: str, timeout_s: float) -> bool:
    return wait_until(
        lambda: bool(s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0)), timeout_s
    )


def test_up_status_upload_down(local_up: subprocess.Popen[str]) -> None:
    settings = LocalSettings()
    state = wait_for_state(settings, timeout_s=240)
    assert state is not None, "local up wrote no state file"
    status = runner.invoke(app, ["local", "status"], env={"COLUMNS": "200"})
    assert status.exit_code == 0, status.output
    assert status.output.count("CREATE_COMPLETE") == 4
    assert "none promoted" in status.output
    s3 = local_s3(state["endpoint"])
    s3.upload_file(str(ROOT / "examples" / "transactions.csv"), state["bucket"], "incoming/a.csv")
    assert _wait_for_key(s3, state["bucket"], "reports/a.csv.json", timeout_s=60)
    dlq = runner.invoke(app, ["dlq", "list"], env={"COLUMNS": "200"})
    assert dlq.exit_code == 0, dlq.output
    assert "cardwatch-local-ingest-failure-dlq" in dlq.output
    _rules_list_then_publish()
    down = runner.invoke(app, ["local", "down"])
    assert down.exit_code == 0, down.output
    assert local_up.wait(timeout=30) == 0
    assert not (settings.local_state_dir / "local.json").exists()
    after = runner.invoke(app, ["local", "status"])
    assert after.exit_code == 1
    assert "not running" in after.output


def _rules_list_then_publish() -> None:
    """`rules list` says none is published, then lists the one `rules publish` made live."""
    empty = runner.invoke(app, ["rules", "list"], env={"COLUMNS": "200"})
    assert empty.exit_code == 0, empty.output
    assert "no rule set published yet" in empty.output
    published = runner.invoke(app, ["rules", "publish", str(RULES)], env={"COLUMNS": "200"})
    assert published.exit_code == 0, published.output
    listed = runner.invoke(app, ["rules", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert "●" in listed.output
    assert "no rule set published" not in listed.output


def _wait_for_output(args: list[str], expected: str, timeout_s: float) -> str:
    outputs = [""]

    def shows_it() -> bool:
        outputs.append(runner.invoke(app, args, env={"COLUMNS": "250"}).output)
        return expected in outputs[-1]

    wait_until(shows_it, timeout_s, every_s=1.0)
    return outputs[-1]


def test_function_logs_reach_the_local_cloudwatch_logs(local_up: subprocess.Popen[str]) -> None:
    settings = LocalSettings()
    state = wait_for_state(settings, timeout_s=240)
    assert state is not None
    s3 = local_s3(state["endpoint"])
    s3.upload_file(str(ROOT / "examples" / "transactions.csv"), state["bucket"], "incoming/b.csv")
    unknown = runner.invoke(app, ["logs", "tail", "nope"], env={"COLUMNS": "250"})
    assert unknown.exit_code == 2
    assert "no function nope; the functions: ingest, scorer, notifier, digest" in unknown.output
    tail = _wait_for_output(["logs", "tail", "ingest"], "ingest report", timeout_s=60)
    assert "ingest report" in tail
    assert "digest" not in tail.lower(), "each function's lines go to its own log group"
    query = _wait_for_output(
        ["logs", "query", "rejected-rows-by-reason"], "card number fails the Luhn check", 30
    )
    assert "card number fails the Luhn check" in query
    cold = _wait_for_output(["logs", "query", "cold-starts"], "cardwatch-local-ingest", 30)
    rows = re.search(r"cold-starts: (\d+) rows", cold)
    assert rows is not None, cold
    assert int(rows.group(1)) >= 1, "the runtime writes Lambda's REPORT lines, init on the first"
    assert runner.invoke(app, ["local", "down"]).exit_code == 0
    assert local_up.wait(timeout=30) == 0
