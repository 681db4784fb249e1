"""Settings of the labels function, validated once per container at cold start."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cardwatch_shared.settings import CardwatchSettings

MIB = 1024 * 1024


class LabelsSettings(CardwatchSettings):
    """Where labels files come from, where their rejects and reports go, and the tables."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    labels_table: str = Field(
        default="cardwatch-labels", min_length=1, description="one label per transaction"
    )
    state_table: str = Field(
        default="cardwatch-state", min_length=1, description="terminals' confirmed-fraud counts"
    )
    verdicts_table: str = Field(
        default="cardwatch-verdicts", min_length=1, description="verdicts the labels refer to"
    )
    labels_prefix: str = Field(default="labels/", description="where labels files arrive")
    labels_refused_prefix: str = Field(
        default="labels/refused/", description="where a labels file refused whole is kept"
    )
    labels_rejected_prefix: str = Field(
        default="rejected/labels/", description="where a file's rejected label rows go"
    )
    labels_reports_prefix: str = Field(
        default="reports/labels/", description="where each labels file's report goes"
    )
    labels_max_file_bytes: int = Field(default=64 * MIB, gt=0, description="size limit")
    labels_max_decompressed_bytes: int = Field(
        default=256 * MIB, gt=0, description="limit on a .csv.gz once inflated"
    )
