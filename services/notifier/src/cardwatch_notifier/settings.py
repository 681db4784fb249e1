"""Notifier settings, validated once per container at cold start (`CARDWATCH_` prefix)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from cardwatch_shared.settings import CardwatchSettings


class NotifierSettings(CardwatchSettings):
    """Where alerts go, when a storm turns them into digests, and how the admin reads time."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    verdicts_table: str = Field(
        default="cardwatch-verdicts",
        min_length=1,
        description="the verdicts; each keeps its alert's state",
    )
    alerts_table: str = Field(
        default="cardwatch-alerts",
        min_length=1,
        description="the storm counter and the digest queue",
    )
    alerts_topic_arn: str = Field(default="", description="SNS topic of the admin's email")
    notifier_dlq_url: str = Field(default="", description="SQS queue for alerts that need a human")
    storm_threshold: int = Field(default=20, ge=1, description="alerts per window before digests")
    storm_window_s: int = Field(default=60, ge=10, description="window of the storm counter")
    admin_timezone: str = Field(default="UTC", description="IANA zone the admin reads times in")
    cli_name: str = Field(default="cardwatch", description="command shown in the email")

    @field_validator("admin_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value
