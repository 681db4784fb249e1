"""Settings of the model tools (`CARDWATCH_` prefix)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cardwatch_shared.settings import CardwatchSettings


class ModelSettings(CardwatchSettings):
    """Where bundles are published, and where retraining reads what the system saw (used when
    the `cardwatch` command is not pointed at a stack it can discover)."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    models_bucket: str | None = Field(
        default=None,
        description="unset: the stack the command discovers, else cardwatch-transactions",
    )
    verdicts_table: str = Field(
        default="cardwatch-verdicts", description="verdicts retraining reads"
    )
    labels_table: str = Field(default="cardwatch-labels", description="labels retraining reads")
