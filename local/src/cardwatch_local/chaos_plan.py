"""What a chaos run injects (every fault a setting, `CARDWATCH_CHAOS_` prefix) and the log where
each process records the faults it actually injected, one JSON line each."""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ChaosPlan(BaseSettings):
    """The faults of one run; a count of 0 (or a share of 0) switches a fault off."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_CHAOS_", extra="ignore", frozen=True)

    transactions: int = Field(default=100_000, ge=50, description="simulated rows to upload")
    seed: int = Field(default=11, description="seed of the simulation and of the faults' places")
    scorer_crashes: int = Field(
        default=3, ge=0, description="times the scorer process dies mid-batch"
    )
    crash_after_records: int = Field(
        default=5, ge=1, description="records it handles before each of those deaths"
    )
    poison_records: int = Field(default=3, ge=0, description="undecodable records on the stream")
    put_records_failure_share: float = Field(
        default=0.05, ge=0, lt=1, description="share of PutRecords entries answered throttled"
    )
    dynamodb_throttles: int = Field(default=6, ge=0, description="scorer writes throttled")
    card_races: int = Field(default=6, ge=0, description="card updates losing a race")
    transaction_conflicts: int = Field(
        default=6, ge=0, description="verdict transactions cancelled for a conflict"
    )
    fault_spacing: int = Field(
        default=37, ge=2, description="one DynamoDB fault every this many scorer writes"
    )
    worker_kills: int = Field(default=2, ge=0, description="SIGKILLs of the scorer's consumer")
    duplicate_uploads: int = Field(default=1, ge=0, description="files uploaded a second time")
    ingest_deaths: int = Field(default=1, ge=0, description="ingest dies halfway through a file")
    notifier_publish_failures: int = Field(
        default=5, ge=0, description="alerts whose first publish fails"
    )
    log_path: Path = Field(
        default=Path("chaos-faults.jsonl"), description="where each fault injected is logged"
    )


class FaultLog:
    """Append-only JSON lines, shared by the run and its worker processes (O_APPEND writes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, fault: str, **detail: Any) -> None:
        """One injected fault."""
        line = json.dumps({"fault": fault, "pid": os.getpid(), **detail}) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)

    def entries(self) -> list[dict[str, Any]]:
        """Every fault recorded so far, by any process."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def counts(self) -> Counter[str]:
        """How many of each fault."""
        return Counter(entry["fault"] for entry in self.entries())
