"""How any upload ends, transactions or labels: a refused file moved aside with its report, or
the rows' rejects file and the report, all under the file's own name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, Protocol

from cardwatch_ingest.csv_records import RowCounts
from cardwatch_ingest.reject_report import RejectsFile
from cardwatch_ingest.upload import Upload
from cardwatch_shared.contracts import FileStatus, IngestReport


class Store(Protocol):
    """What ingest needs of S3."""

    def move(self, upload: Upload, new_key: str) -> None: ...
    def put(self, bucket: str, key: str, body: bytes | BinaryIO, content_type: str) -> None: ...


@dataclass(frozen=True)
class OutcomePrefixes:
    """Where a kind of upload's outcomes go: refused files, row rejects and reports."""

    refused: str
    rejected: str
    reports: str


@dataclass
class FileOutcome:
    """Writes one upload's outcome; `name` is the upload's key below its own prefix."""

    upload: Upload
    name: str
    prefixes: OutcomePrefixes
    store: Store
    now: Callable[[], datetime]

    def __post_init__(self) -> None:
        self.started_at = self.now()

    def refused(self, reason: str) -> IngestReport:
        """The file is refused whole: move it aside and report why."""
        self.store.move(self.upload, self.prefixes.refused + self.name)
        return self._put(self._report(FileStatus.REJECTED, error=reason))

    def finished(self, counts: RowCounts, rejects: RejectsFile, unknown: list[str]) -> IngestReport:
        """The rows were read: write the rejects file if any row was refused, then the report."""
        rejects_key = None
        if rejects.count:
            rejects_key = f"{self.prefixes.rejected}{self.name}.errors.csv"
            self.store.put(self.upload.bucket, rejects_key, rejects.content(), "text/csv")
        report = self._report(
            file_status(counts.accepted, rejects.rows),
            rows_read=counts.read,
            rows_accepted=counts.accepted,
            rows_rejected=rejects.rows,
            rejects_by_reason=dict(rejects.reasons),
            unknown_columns=unknown,
            rejects_key=rejects_key,
        )
        return self._put(report)

    def _report(
        self, status: FileStatus, error: str | None = None, **counts: object
    ) -> IngestReport:
        upload = self.upload
        empty = {"rows_read": 0, "rows_accepted": 0, "rows_rejected": 0}
        return IngestReport.model_validate(
            {
                "upload_id": upload.upload_id,
                "bucket": upload.bucket,
                "key": upload.key,
                "etag": upload.etag,
                "version_id": upload.version_id,
                "status": status,
                "file_error": error,
                "started_at": self.started_at,
                "finished_at": self.now(),
            }
            | empty
            | counts
        )

    def _put(self, report: IngestReport) -> IngestReport:
        key = f"{self.prefixes.reports}{self.name}.json"
        body = report.model_dump_json(indent=2).encode()
        self.store.put(self.upload.bucket, key, body, "application/json")
        return report


def file_status(accepted: int, rejected: int) -> FileStatus:
    """Empty when no row was read, accepted when none was refused, else partial."""
    if accepted == 0 and rejected == 0:
        return FileStatus.EMPTY
    return FileStatus.ACCEPTED if rejected == 0 else FileStatus.PARTIAL
