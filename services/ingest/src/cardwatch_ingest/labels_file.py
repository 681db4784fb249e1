"""A labels upload (`labels/*.csv`): every row validated into a `Label` and recorded through the
label store; bad rows and unknown transactions to a rejects file, a report per file.

The same file checks as a transactions upload (suffix, size, UTF-8, header), but labels carry no
card data: a file with a card number or CVV column is refused whole.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from pydantic import ValidationError

from cardwatch_ingest.csv_records import RowCounts, data_rows
from cardwatch_ingest.csv_stream import OpenBytes, check_utf8, open_text
from cardwatch_ingest.file_checks import FileRejectedError, check_columns, check_object
from cardwatch_ingest.file_outcome import FileOutcome, OutcomePrefixes, Store
from cardwatch_ingest.labels_settings import LabelsSettings
from cardwatch_ingest.reject_report import RejectsFile, shown_value
from cardwatch_ingest.upload import Upload
from cardwatch_shared.contracts import IngestReport, RejectedRow
from cardwatch_shared.contracts.field_errors import field_errors
from cardwatch_shared.contracts.label import Label
from cardwatch_shared.contracts.transaction_row import FORBIDDEN_COLUMNS
from cardwatch_shared.label_store import LabelOutcome

LABEL_COLUMNS = ("transaction_id", "label", "source", "known_at")
CARD_COLUMNS = frozenset({"card_number", "pan"}) | FORBIDDEN_COLUMNS
UNKNOWN_TRANSACTION = "no verdict for this transaction_id: nothing to label"


class LabelSink(Protocol):
    """Where a valid label goes (the label store)."""

    def record(self, label: Label) -> LabelOutcome: ...


@dataclass
class LabelsContext:
    """Everything one labels file needs besides the upload itself."""

    settings: LabelsSettings
    store: Store
    sink: LabelSink
    open_bytes: OpenBytes
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    outcomes: Counter[LabelOutcome] = field(default_factory=Counter)


def check_labels_header(header: Sequence[str] | None) -> list[str]:
    """Validate a labels header; return the unknown columns (ignored, reported)."""
    return check_columns(header, LABEL_COLUMNS, CARD_COLUMNS, "labels carry no card data")


def _record_row(raw: dict[str, str], row: int, ctx: LabelsContext, rejects: RejectsFile) -> bool:
    """Validate and record one row; False (with its reasons in `rejects`) when refused."""
    try:
        label = Label.model_validate({c: raw[c] for c in LABEL_COLUMNS})
    except ValidationError as exc:
        for column, reason in field_errors(exc):
            value = shown_value(column, raw.get(column)) if column else None
            rejects.add(RejectedRow(row_number=row, column=column, reason=reason, value=value))
        return False
    outcome = ctx.sink.record(label)
    ctx.outcomes[outcome] += 1
    if outcome is LabelOutcome.UNKNOWN_TRANSACTION:
        value = shown_value("transaction_id", label.transaction_id)
        rejects.add(
            RejectedRow(
                row_number=row, column="transaction_id", reason=UNKNOWN_TRANSACTION, value=value
            )
        )
        return False
    return True


def _stream_labels(
    upload: Upload, ctx: LabelsContext, rejects: RejectsFile
) -> tuple[RowCounts, list[str]]:
    limit = ctx.settings.labels_max_decompressed_bytes
    counts = RowCounts()
    with open_text(ctx.open_bytes, upload.is_gzip, limit) as text:
        header = next(csv.reader([text.readline()]), None)
        unknown = check_labels_header(header)
        assert header is not None
        names = [name.strip() for name in header]
        for row, cells in data_rows(text, len(names), rejects, counts):
            if _record_row(dict(zip(names, cells, strict=True)), row, ctx, rejects):
                counts.accepted += 1
    return counts, unknown


def ingest_labels(upload: Upload, ctx: LabelsContext) -> IngestReport:
    """Validate and record one labels file; refused files, rejects and report to S3."""
    settings = ctx.settings
    prefixes = OutcomePrefixes(
        settings.labels_refused_prefix,
        settings.labels_rejected_prefix,
        settings.labels_reports_prefix,
    )
    name = upload.key.removeprefix(settings.labels_prefix)
    outcome = FileOutcome(upload, name, prefixes, ctx.store, ctx.now)
    rejects = RejectsFile()
    try:
        check_object(upload, settings.labels_max_file_bytes)
        check_utf8(ctx.open_bytes, upload.is_gzip, settings.labels_max_decompressed_bytes)
        counts, unknown = _stream_labels(upload, ctx, rejects)
        return outcome.finished(counts, rejects, unknown)
    except FileRejectedError as refused:
        return outcome.refused(refused.reason)
    finally:
        rejects.close()
