"""S3 adapter: read an upload, move a refused file, write rejects and reports."""

from __future__ import annotations

from typing import Any, BinaryIO

from cardwatch_ingest.upload import Upload


class UploadStore:
    """The transactions bucket as ingest sees it (a boto3 S3 client underneath)."""

    def __init__(self, s3: Any) -> None:
        self._s3 = s3

    def open(self, upload: Upload) -> BinaryIO:
        """A fresh stream of the exact object version the event named."""
        kwargs: dict[str, str] = {"Bucket": upload.bucket, "Key": upload.key}
        if upload.version_id:
            kwargs["VersionId"] = upload.version_id
        elif upload.etag:
            kwargs["IfMatch"] = upload.etag
        body: BinaryIO = self._s3.get_object(**kwargs)["Body"]
        return body

    def move(self, upload: Upload, new_key: str) -> None:
        """Copy the object to `new_key` (same bucket), then delete the original."""
        source: dict[str, str] = {"Bucket": upload.bucket, "Key": upload.key}
        if upload.version_id:
            source["VersionId"] = upload.version_id
        self._s3.copy_object(Bucket=upload.bucket, Key=new_key, CopySource=source)
        self._s3.delete_object(Bucket=upload.bucket, Key=upload.key)

    def put(self, bucket: str, key: str, body: bytes | BinaryIO, content_type: str) -> None:
        """Write one object."""
        self._s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
