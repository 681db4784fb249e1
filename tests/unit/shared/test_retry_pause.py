"""The retry pause doubles with each attempt, jittered within [base, 2 × base)."""

from __future__ import annotations

import pytest

from cardwatch_shared.retry_pause import FIRST_PAUSE_S, retry_pause

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("attempt", range(6))
def test_each_pause_lies_in_its_doubled_window(attempt: int) -> None:
    base = FIRST_PAUSE_S * 2**attempt
    pauses = [retry_pause(attempt) for _ in range(200)]
    assert all(base <= pause < 2 * base for pause in pauses)
    assert len(set(pauses)) > 1  # jittered, not fixed
