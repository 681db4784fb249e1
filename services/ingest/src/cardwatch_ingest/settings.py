"""Ingest settings, validated once per container at cold start (`CARDWATCH_` prefix)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cardwatch_shared.settings import CardwatchSettings, HmacKeySettings

MIB = 1024 * 1024


class IngestSettings(CardwatchSettings, HmacKeySettings):
    """Where uploads come from and go, and the limits that keep a bad file from hurting."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    stream_name: str = Field(
        default="cardwatch-transactions", min_length=1, description="Kinesis stream of transactions"
    )
    idempotency_table: str = Field(
        default="cardwatch-idempotency",
        min_length=1,
        description="Powertools idempotency records: one per upload (bucket, key, ETag)",
    )
    incoming_prefix: str = Field(default="incoming/", description="where uploads arrive")
    rejected_prefix: str = Field(
        default="rejected/", description="where the rejected rows of a file go, card numbers masked"
    )
    refused_prefix: str = Field(
        default="incoming/refused/",
        description="where a file refused whole is kept: raw uploads (card numbers and all) stay "
        "under the incoming prefix, so everything else in the bucket is free of them",
    )
    reports_prefix: str = Field(default="reports/", description="where each file's report goes")
    max_file_bytes: int = Field(default=512 * MIB, gt=0, description="size limit of an upload")
    max_decompressed_bytes: int = Field(
        default=2048 * MIB, gt=0, description="limit on a .csv.gz once inflated (gzip bombs)"
    )
    max_field_bytes: int = Field(default=64 * 1024, gt=0, description="longest accepted cell")
    put_max_records: int = Field(
        default=500, ge=1, le=500, description="records per Kinesis PutRecords call"
    )
    put_max_bytes: int = Field(
        default=5 * MIB, gt=0, le=5 * MIB, description="bytes per Kinesis PutRecords call"
    )
    put_backoff_base_s: float = Field(
        default=0.1, gt=0, description="first wait before re-sending throttled records"
    )
    put_backoff_cap_s: float = Field(
        default=5.0, gt=0, description="longest wait between re-sends (exponential, jittered)"
    )
    time_margin_ms: int = Field(
        default=10_000, ge=0, description="stop retrying this long before the Lambda times out"
    )
