"""The pause before retrying a DynamoDB transaction cancelled by a conflict or a race: the
scorer's verdict writes and the label store share one schedule."""

from __future__ import annotations

import random

FIRST_PAUSE_S = 0.05


def retry_pause(attempt: int) -> float:
    """Seconds to wait after failed attempt `attempt` (0-based): doubled each time, jittered."""
    return FIRST_PAUSE_S * 2.0**attempt * (1 + random.random())  # noqa: S311 - jitter, not a secret
