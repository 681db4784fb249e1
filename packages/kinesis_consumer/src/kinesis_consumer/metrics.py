"""What a worker reports: records processed, how far behind each shard is, lease movements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class ConsumerMetrics:
    """Counters and per-shard gauges of one worker; `snapshot()` gives them as plain data."""

    records_processed: int = 0
    leases_taken: int = 0
    leases_stolen: int = 0
    leases_lost: int = 0
    leases_held: int = 0
    throttled: int = 0
    iterators_expired: int = 0
    millis_behind_latest: dict[str, int] = field(default_factory=dict)
    iterator_age_ms: dict[str, int] = field(default_factory=dict)

    def observe_read(self, shard_id: str, behind: int | None, arrival: datetime | None) -> None:
        """Record one GetRecords answer's lag (MillisBehindLatest) and the last record's age."""
        if behind is not None:
            self.millis_behind_latest[shard_id] = behind
        if arrival is not None:
            age = datetime.now(UTC) - arrival
            self.iterator_age_ms[shard_id] = max(0, int(age.total_seconds() * 1000))

    def snapshot(self) -> dict[str, Any]:
        """The metrics as a dict, with the maximum lag over the shards."""
        return {
            "records_processed": self.records_processed,
            "leases_taken": self.leases_taken,
            "leases_stolen": self.leases_stolen,
            "leases_lost": self.leases_lost,
            "leases_held": self.leases_held,
            "throttled": self.throttled,
            "iterators_expired": self.iterators_expired,
            "max_millis_behind_latest": max(self.millis_behind_latest.values(), default=0),
            "max_iterator_age_ms": max(self.iterator_age_ms.values(), default=0),
        }
