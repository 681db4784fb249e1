"""`Upload`: the S3 object an EventBridge "Object Created" event names."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Upload(BaseModel):
    """One uploaded object: the unit of idempotency (bucket, key and ETag or version)."""

    model_config = ConfigDict(frozen=True)

    bucket: str = Field(min_length=1)
    key: str = Field(min_length=1)
    size: int = Field(ge=0)
    etag: str | None = None
    version_id: str | None = None

    @property
    def upload_id(self) -> str:
        """`bucket/key@etag` (or version): names this exact content of the object."""
        return f"{self.bucket}/{self.key}@{self.version_id or self.etag or 'unversioned'}"

    @property
    def is_gzip(self) -> bool:
        """True for a `.csv.gz` upload."""
        return self.key.lower().endswith(".csv.gz")

    @classmethod
    def from_event_detail(cls, detail: dict[str, Any]) -> Upload:
        """From the `detail` of an S3 "Object Created" EventBridge event (moto's spelling too:
        `eTag`, and version `null` for an unversioned bucket)."""
        obj = detail["object"]
        version = obj.get("version-id")
        return cls(
            bucket=detail["bucket"]["name"],
            key=obj["key"],
            size=int(obj.get("size", 0)),
            etag=obj.get("etag") or obj.get("eTag"),
            version_id=None if version in (None, "null") else version,
        )
