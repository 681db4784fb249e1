"""`IngestReport`: what became of one uploaded file."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from cardwatch_shared.contracts.base import Contract


class FileStatus(StrEnum):
    """Outcome of a file: every row in, some rows in, none (empty), or refused whole."""

    ACCEPTED = "accepted"
    PARTIAL = "partial"
    EMPTY = "empty"
    REJECTED = "rejected"


class IngestReport(Contract):
    """Counts and reasons for one upload; lands in S3 `reports/` and in the logs."""

    SCHEMA_NAME: ClassVar[str] = "ingest_report"
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    schema_version: Literal["1.0"] = "1.0"
    upload_id: str
    bucket: str
    key: str
    etag: str | None = None
    version_id: str | None = None
    status: FileStatus
    file_error: str | None = Field(default=None, description="why the whole file was refused")
    rows_read: int = Field(ge=0)
    rows_accepted: int = Field(ge=0)
    rows_rejected: int = Field(ge=0)
    rejects_by_reason: dict[str, int] = Field(default_factory=dict)
    unknown_columns: list[str] = Field(default_factory=list)
    rejects_key: str | None = Field(default=None, description="S3 key of the row errors CSV")
    started_at: AwareDatetime
    finished_at: AwareDatetime
