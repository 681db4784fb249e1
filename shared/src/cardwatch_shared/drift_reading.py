"""Today's score drift of the live model, read back from the stack for `cardwatch local status`
and the terminal app: the day's histogram (state table) against the manifest's reference."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from cardwatch_shared.features.spec import SECONDS_PER_DAY
from cardwatch_shared.model_manifest import (
    CURRENT_KEY,
    MODELS_PREFIX,
    CurrentPointer,
    ModelManifest,
)
from cardwatch_shared.score_drift import histogram_key, psi, reading


@dataclass(frozen=True)
class DriftReading:
    """The PSI of one day's scores of one model (NaN before any score)."""

    model_version: str
    day: int
    scores: int
    psi: float

    def describe(self) -> str:
        """One line: the index, its reading, and what it rests on."""
        if self.scores == 0:
            return f"score drift: no scores of {self.model_version} today"
        value = "—" if math.isnan(self.psi) else f"{self.psi:.3f}"
        return (
            f"score drift: PSI {value} ({reading(self.psi)}) over {self.scores} scores today "
            f"against the validation scores of {self.model_version}"
        )


def live_manifest(s3: Any, bucket: str) -> ModelManifest | None:
    """The manifest of the promoted model; None before the first promotion or if unreadable."""
    try:
        pointer = s3.get_object(Bucket=bucket, Key=CURRENT_KEY)["Body"].read()
        name = CurrentPointer.model_validate_json(pointer).version
        key = f"{MODELS_PREFIX}{name}/{ModelManifest.FILE_NAME}"
        return ModelManifest.model_validate_json(
            s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        )
    except (s3.exceptions.NoSuchKey, ValidationError):
        return None


def read_drift(
    dynamodb: Any, state_table: str, manifest: ModelManifest, now_seconds: float
) -> DriftReading | None:
    """Today's reading of the live model (None if its manifest has no reference bins)."""
    if not manifest.score_bin_shares:
        return None
    day = int(now_seconds) // SECONDS_PER_DAY
    item = dynamodb.get_item(
        TableName=state_table, Key={"pk": {"S": histogram_key(manifest.version, day)}}
    ).get("Item", {})
    counts = [
        int(item.get(f"b{i}", {"N": "0"})["N"]) for i in range(len(manifest.score_bin_shares))
    ]
    return DriftReading(manifest.version, day, sum(counts), psi(manifest.score_bin_shares, counts))
