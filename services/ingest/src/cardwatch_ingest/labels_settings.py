"""Settings of the labels function, validated once per container at cold start."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cardwatch_shared.settings import CardwatchSettings

MIB = 1024 * 1024


class LabelsSettings(CardwatchSettings):
    """Where labels files come from, where their rejects and reports go, and the tables."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    labels_table: str = Field(default="cardwatch-labels", min_length=1)
    state_table: str = Field(default="cardwatch-state", min_length=1)
    verdicts_table: str = Field(default="cardwatch-verdicts", min_length=1)
    labels_prefix: str = "labels/"
    labels_refused_prefix: str = "labels/refused/"
    labels_rejected_prefix: str = "rejected/labels/"
    labels_reports_prefix: str = "reports/labels/"
    labels_max_file_bytes: int = Field(default=64 * MIB, gt=0, description="size limit")
    labels_max_decompressed_bytes: int = Field(
        default=256 * MIB, gt=0, description="limit on a .csv.gz once inflated"
    )
