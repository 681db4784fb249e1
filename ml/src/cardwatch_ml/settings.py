"""Settings of the model tools (`CARDWATCH_` prefix)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from cardwatch_shared.settings import CardwatchSettings


class ModelSettings(CardwatchSettings):
    """Where bundles are published."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    models_bucket: str = "cardwatch-transactions"
