"""The handler pauses the collector for a batch and resumes it once the batch is done; the pause
leaves the collector as it was, also when the block fails or when the caller had paused it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from cardwatch_scorer import handler
from cardwatch_scorer.gc_pause import gc_paused

pytestmark = pytest.mark.unit

CONTEXT = SimpleNamespace(
    function_name="cardwatch-scorer",
    memory_limit_in_mb=1024,
    aws_request_id="r-1",
    invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:cardwatch-scorer",
)


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def _fail_while_paused() -> None:
    with gc_paused():
        assert not gc.isenabled()
        raise ValueError("boom")


@pytest.mark.usefixtures("collector_enabled")
def test_paused_inside_and_enabled_after_even_on_failure() -> None:
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError, match="boom"):
        _fail_while_paused()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_enabled")
def test_a_caller_s_pause_is_kept() -> None:
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
    gc.enable()


@pytest.mark.usefixtures("collector_enabled")
def test_the_handler_runs_a_batch_paused_and_resumes_once_it_is_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bool] = []

    def handle(_event: dict[str, Any], _context: Any) -> dict[str, Any]:
        seen.append(gc.isenabled())
        return {"batchItemFailures": []}

    monkeypatch.setattr(handler, "_handle", handle)
    assert handler.lambda_handler({"Records": []}, CONTEXT) == {"batchItemFailures": []}
    assert seen == [False]
    assert gc.isenabled()
