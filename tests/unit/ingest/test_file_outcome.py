"""How an upload ends, for transactions and labels alike: a refused file is moved aside with a
report saying why; a read file gets its rejects file (only if a row was refused) and a report."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import BinaryIO

import pytest

from cardwatch_ingest.csv_records import RowCounts
from cardwatch_ingest.file_outcome import FileOutcome, OutcomePrefixes, file_status
from cardwatch_ingest.reject_report import RejectsFile
from cardwatch_ingest.upload import Upload
from cardwatch_shared.contracts import FileStatus, RejectedRow

pytestmark = pytest.mark.unit
PREFIXES = OutcomePrefixes("labels/refused/", "rejected/labels/", "reports/labels/")
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


class RecordingStore:
    """The two S3 calls an outcome makes, recorded (the S3 adapter has its own moto tests)."""

    def __init__(self) -> None:
        self.moved: list[tuple[str, str]] = []
        self.put_bodies: dict[str, bytes] = {}

    def move(self, upload: Upload, new_key: str) -> None:
        self.moved.append((upload.key, new_key))

    def put(self, bucket: str, key: str, body: bytes | BinaryIO, content_type: str) -> None:
        self.put_bodies[key] = body if isinstance(body, bytes) else body.read()


def _outcome(store: RecordingStore) -> FileOutcome:
    upload = Upload(bucket="b", key="labels/day-1.csv", size=10, etag="e")
    return FileOutcome(upload, "day-1.csv", PREFIXES, store, lambda: NOW)


def test_a_refused_file_is_moved_aside_and_reported() -> None:
    store = RecordingStore()
    report = _outcome(store).refused("not UTF-8")
    assert store.moved == [("labels/day-1.csv", "labels/refused/day-1.csv")]
    assert report.status is FileStatus.REJECTED
    assert report.file_error == "not UTF-8"
    saved = json.loads(store.put_bodies["reports/labels/day-1.csv.json"])
    assert saved["status"] == "rejected"
    assert saved["rows_read"] == 0


def test_refused_rows_get_a_rejects_file_beside_the_report() -> None:
    store = RecordingStore()
    rejects = RejectsFile()
    rejects.add(RejectedRow(row_number=3, column="label", reason="bad label", value="maybe"))
    report = _outcome(store).finished(RowCounts(read=5, accepted=4), rejects, ["note"])
    rejects.close()
    assert store.moved == []
    assert report.status is FileStatus.PARTIAL
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (5, 4, 1)
    assert report.rejects_key == "rejected/labels/day-1.csv.errors.csv"
    assert report.rejects_by_reason == {"bad label": 1}
    assert report.unknown_columns == ["note"]
    assert b"bad label" in store.put_bodies["rejected/labels/day-1.csv.errors.csv"]


def test_a_clean_file_has_no_rejects_file() -> None:
    store = RecordingStore()
    rejects = RejectsFile()
    report = _outcome(store).finished(RowCounts(read=2, accepted=2), rejects, [])
    rejects.close()
    assert report.status is FileStatus.ACCEPTED
    assert report.rejects_key is None
    assert list(store.put_bodies) == ["reports/labels/day-1.csv.json"]


@pytest.mark.parametrize(
    ("accepted", "rejected", "status"),
    [(0, 0, FileStatus.EMPTY), (3, 0, FileStatus.ACCEPTED), (3, 1, FileStatus.PARTIAL)],
)
def test_file_status(accepted: int, rejected: int, status: FileStatus) -> None:
    assert file_status(accepted, rejected) is status
