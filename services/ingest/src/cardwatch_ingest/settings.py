"""Ingest settings, validated once per container at cold start (`CARDWATCH_` prefix)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cardwatch_shared.settings import CardwatchSettings, HmacKeySettings

MIB = 1024 * 1024


class IngestSettings(CardwatchSettings, HmacKeySettings):
    """Where uploads come from and go, and the limits that keep a bad file from hurting."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    stream_name: str = Field(default="cardwatch-transactions", min_length=1)
    idempotency_table: str = Field(default="cardwatch-idempotency", min_length=1)
    incoming_prefix: str = "incoming/"
    rejected_prefix: str = "rejected/"
    refused_prefix: str = Field(
        default="incoming/refused/",
        description="where a file refused whole is kept: raw uploads (card numbers and all) stay "
        "under the incoming prefix, so everything else in the bucket is free of them",
    )
    reports_prefix: str = "reports/"
    max_file_bytes: int = Field(default=512 * MIB, gt=0, description="size limit of an upload")
    max_decompressed_bytes: int = Field(
        default=2048 * MIB, gt=0, description="limit on a .csv.gz once inflated (gzip bombs)"
    )
    max_field_bytes: int = Field(default=64 * 1024, gt=0, description="longest accepted cell")
    put_max_records: int = Field(default=500, ge=1, le=500)
    put_max_bytes: int = Field(default=5 * MIB, gt=0, le=5 * MIB)
    put_backoff_base_s: float = Field(default=0.1, gt=0)
    put_backoff_cap_s: float = Field(default=5.0, gt=0)
    time_margin_ms: int = Field(
        default=10_000, ge=0, description="stop retrying this long before the Lambda times out"
    )
