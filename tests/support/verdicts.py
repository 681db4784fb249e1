"""Verdicts for tests, built from the committed sample event."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from cardwatch_shared.contracts import Verdict
from cardwatch_shared.schema_registry import CONTRACTS_DIR


def sample_verdict(index: int = 0, **changes: Any) -> Verdict:
    """The sample verdict with a distinct id, last four and time per `index`."""
    body = json.loads((CONTRACTS_DIR / "examples" / "verdict.json").read_text(encoding="utf-8"))
    event_time = datetime(2026, 11, 20, 10, 2, 11, tzinfo=UTC) + timedelta(seconds=index)
    body.update(
        transaction_id=f"tx-{index:05d}",
        last4=f"{index % 10_000:04d}",
        event_time=event_time.isoformat(),
    )
    body.update(changes)
    return Verdict.model_validate(body)
