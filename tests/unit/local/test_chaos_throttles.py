"""Where the chaos run throttles the scorer's DynamoDB writes: halfway through each
`fault_spacing` writes of a process, so that a worker restarted after a kill and writing little
still meets one, and on the next write when another fault takes the due one."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cardwatch_local.chaos_faults import THROTTLED, ClientFaults
from cardwatch_local.chaos_plan import ChaosPlan, FaultLog

pytestmark = pytest.mark.unit


def _faults(tmp_path: Path, **plan: Any) -> tuple[ClientFaults, FaultLog]:
    chosen = ChaosPlan(card_races=0, transaction_conflicts=0, **plan)
    log = FaultLog(tmp_path / "faults.jsonl")
    return ClientFaults(chosen, log, "scorer"), log


def _write(faults: ClientFaults, operation: str) -> str | None:
    """One write through the hook; the error code it raised, if any."""
    params: dict[str, Any] = {"TableName": "t", "Key": {"pk": {"S": "scores#1"}}}
    if operation == "TransactWriteItems":
        params = {"TransactItems": []}
    try:
        faults._dynamodb_write(params, SimpleNamespace(name=operation), {})
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return None


def test_throttles_fall_halfway_through_each_spacing_within_the_budget(tmp_path: Path) -> None:
    faults, log = _faults(tmp_path, fault_spacing=7, dynamodb_throttles=2)
    codes = [_write(faults, "UpdateItem") for _ in range(20)]
    assert [n for n, code in enumerate(codes, start=1) if code] == [3, 10]
    assert {code for code in codes if code} == {THROTTLED}
    assert log.counts()["dynamodb_throttle"] == 2


def test_a_throttle_another_fault_displaces_falls_on_the_next_write(tmp_path: Path) -> None:
    faults, log = _faults(tmp_path, fault_spacing=7, dynamodb_throttles=1)
    faults.plan = faults.plan.model_copy(update={"transaction_conflicts": 1})
    codes = [_write(faults, op) for op in ("UpdateItem", "UpdateItem", "TransactWriteItems")]
    codes += [_write(faults, "UpdateItem") for _ in range(3)]
    assert codes[2] == "TransactionCanceledException"  # the conflict takes the third write
    assert codes[3] == THROTTLED
    assert codes[4:] == [None, None]
    assert log.counts() == {"transaction_conflict": 1, "dynamodb_throttle": 1}
