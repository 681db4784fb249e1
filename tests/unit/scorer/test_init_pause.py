"""In a Lambda execution environment the collector is paused from the package's import until the
first batch is handled, which freezes what init made; anywhere else importing changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

PROBE = """
import gc
import cardwatch_scorer.handler as handler
print("after import", gc.isenabled())
from types import SimpleNamespace
context = SimpleNamespace(
    function_name="cardwatch-scorer", memory_limit_in_mb=1024, aws_request_id="r-1",
    invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:cardwatch-scorer",
)
try:  # an empty event is refused by the batch processor: the batch fails, and ends the pause
    handler.lambda_handler({"Records": []}, context)
except Exception as exc:
    print("handler failed", type(exc).__name__)
print("after first batch", gc.isenabled(), gc.get_freeze_count() > 10_000)
"""


def _probe(**env: str) -> list[str]:
    environment = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_FUNCTION_NAME"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        check=True,
        env=environment | env | {"POWERTOOLS_TRACE_DISABLED": "true"},
    )
    return [line for line in result.stdout.splitlines() if not line.startswith("{")]


def test_paused_from_import_to_the_first_batch_in_lambda_even_when_it_fails() -> None:
    lines = _probe(AWS_LAMBDA_FUNCTION_NAME="cardwatch-scorer")
    assert lines[0] == "after import False"
    assert lines[-1] == "after first batch True True"


def test_nothing_changes_outside_lambda() -> None:
    lines = _probe()
    assert lines[0] == "after import True"
    assert lines[-1] == "after first batch True False"
