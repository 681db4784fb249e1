"""Scorer settings, validated once per container at cold start (`CARDWATCH_` prefix)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cardwatch_shared.settings import CardwatchSettings


class ScorerSettings(CardwatchSettings):
    """Where verdicts, state and models live, and how often the model pointer is re-read."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    verdicts_table: str = Field(
        default="cardwatch-verdicts", min_length=1, description="one verdict per transaction"
    )
    state_table: str = Field(
        default="cardwatch-state",
        min_length=1,
        description="cards' and terminals' state, score histograms",
    )
    models_bucket: str = Field(
        default="cardwatch-transactions",
        min_length=1,
        description="bucket of models/current.json, the bundles and rules/current.json",
    )
    model_refresh_s: float = Field(default=60.0, ge=0, description="re-read models/current.json")
    rules_refresh_s: float = Field(default=30.0, ge=0, description="re-read rules/current.json")
    applied_ids_kept: int = Field(default=500, ge=10, description="per-card replay memory")
    write_concurrency: int = Field(
        default=16,
        ge=1,
        le=64,
        description="DynamoDB calls of a batch in flight at once (its reads and its writes)",
    )
    review_score_min: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="lowest score that queues a verdict for review (default: half the threshold)",
    )
    drift_min_scores: int = Field(
        default=200, ge=1, description="scores of the day before the drift metric is emitted"
    )
