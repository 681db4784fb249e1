"""The scorer image's dependency set, built the way its Dockerfile builds it (from the lock into a
clean target folder), imports the handler its CMD names and scores a recorded event against moto."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.scorer.conftest import ScorerStack

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
EVENT = ROOT / "services" / "scorer" / "events" / "kinesis_batch.json"
RUNNER = """
import importlib, json, sys
module, _, name = sys.argv[1].rpartition(".")
handler = getattr(importlib.import_module(module), name)
class Context:
    function_name = "scorer"; memory_limit_in_mb = 1024; aws_request_id = "req-1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:scorer"
    def get_remaining_time_in_millis(self): return 60000
print(json.dumps(handler(json.load(open(sys.argv[2])), Context())))
import sklearn, cardwatch_scorer
print(json.dumps({"sklearn": sklearn.__file__, "scorer": cardwatch_scorer.__file__}))
"""


def uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools" / "venv" / "bin" / "uv")
    assert Path(found).exists(), "uv is installed by make setup"
    return found


def test_image_dependency_set_runs_the_handler(scorer_stack: ScorerStack, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    subprocess.run(  # noqa: S603 - our own uv on our own lock
        [
            uv(),
            "export",
            "--frozen",
            "--no-dev",
            "--no-editable",
            "--no-emit-workspace",
            "--no-hashes",
            "--package",
            "cardwatch-scorer",
            "-o",
            str(requirements),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    names = {line.split("==")[0] for line in requirements.read_text().splitlines() if "==" in line}
    assert {"scikit-learn", "pandas", "skops", "aws-lambda-powertools"} <= names
    assert not names & {"polars", "textual", "matplotlib", "moto", "cardwatch-ml"}
    task_root = tmp_path / "task"
    subprocess.run(  # noqa: S603
        [
            uv(),
            "pip",
            "install",
            "--python",
            sys.executable,
            "--quiet",
            "-r",
            str(requirements),
            "--target",
            str(task_root),
        ],
        check=True,
        capture_output=True,
    )
    shutil.copytree(ROOT / "shared/src/cardwatch_shared", task_root / "cardwatch_shared")
    shutil.copytree(ROOT / "services/scorer/src/cardwatch_scorer", task_root / "cardwatch_scorer")
    script = tmp_path / "run.py"
    script.write_text(RUNNER)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONPATH"] = str(task_root)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-S", str(script), "cardwatch_scorer.handler.lambda_handler", str(EVENT)],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    response, paths = (json.loads(line) for line in result.stdout.strip().splitlines()[-2:])
    assert response == {"batchItemFailures": []}
    assert all(p.startswith(str(task_root)) for p in paths.values()), paths
    assert sorted(scorer_stack.verdicts()) == ["tx-00000", "tx-00001"]
