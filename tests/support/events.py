"""Event payloads shaped exactly as AWS delivers them."""

from __future__ import annotations

import uuid
from typing import Any


def s3_object_created(
    bucket: str, key: str, size: int, etag: str | None, version_id: str | None = None
) -> dict[str, Any]:
    """An EventBridge "Object Created" event from S3 (EventBridge notifications on the bucket)."""
    obj: dict[str, Any] = {"key": key, "size": size, "sequencer": "0062E99A88DC407460"}
    if etag:
        obj["etag"] = etag
    if version_id:
        obj["version-id"] = version_id
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": "123456789012",
        "time": "2026-11-20T10:02:14Z",
        "region": "us-east-1",
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {
            "version": "0",
            "bucket": {"name": bucket},
            "object": obj,
            "request-id": "N4N7GDK58NMKJ12R",
            "requester": "123456789012",
            "source-ip-address": "127.0.0.1",
            "reason": "PutObject",
        },
    }
