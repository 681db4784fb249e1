"""The S3 "Object Created" detail, as AWS and as moto spell it, names one exact object version."""

from __future__ import annotations

import pytest

from cardwatch_ingest.upload import Upload

pytestmark = pytest.mark.unit


def test_aws_spelling() -> None:
    detail = {
        "bucket": {"name": "b"},
        "object": {"key": "incoming/a.csv", "size": 10, "etag": "e1", "version-id": "v1"},
    }
    upload = Upload.from_event_detail(detail)
    assert (upload.etag, upload.version_id, upload.size) == ("e1", "v1", 10)
    assert upload.upload_id == "b/incoming/a.csv@v1"


def test_moto_spelling_and_unversioned_bucket() -> None:
    detail = {
        "bucket": {"name": "b"},
        "object": {"key": "incoming/a.csv", "size": 1, "eTag": "e2", "version-id": "null"},
    }
    upload = Upload.from_event_detail(detail)
    assert upload.etag == "e2"
    assert upload.version_id is None
    assert upload.upload_id == "b/incoming/a.csv@e2"
