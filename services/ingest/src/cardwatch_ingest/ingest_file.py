"""The domain of ingest: one upload in, transactions on the stream, rejects and a report out.

Knows nothing of Lambda: the handler passes the upload, the adapters and the clock.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import ValidationError

from cardwatch_ingest.csv_records import RowCounts, data_rows
from cardwatch_ingest.csv_stream import OpenBytes, check_utf8, open_text
from cardwatch_ingest.duplicate_ids import DuplicateIds
from cardwatch_ingest.file_checks import FileRejectedError, check_header, check_object
from cardwatch_ingest.file_outcome import FileOutcome, OutcomePrefixes, Store
from cardwatch_ingest.kinesis_writer import KinesisWriter, WriterStats
from cardwatch_ingest.reject_report import RejectsFile, shown_value
from cardwatch_ingest.row_conversion import PayloadBuilder
from cardwatch_ingest.settings import IngestSettings
from cardwatch_ingest.upload import Upload
from cardwatch_shared.card_number import Tokenizer
from cardwatch_shared.contracts import IngestReport, RejectedRow, TransactionRow
from cardwatch_shared.contracts.field_errors import field_errors
from cardwatch_shared.contracts.transaction_row import FUTURE_TOLERANCE
from cardwatch_shared.contracts.transaction_row_fast import FastRow, FastRowParser, from_model


@dataclass
class IngestContext:
    """Everything one file's ingestion needs besides the upload itself."""

    settings: IngestSettings
    hmac_key: bytes
    store: Store
    writer: KinesisWriter
    open_bytes: OpenBytes
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


@dataclass
class IngestOutcome:
    """The report of the file and what the stream writer did."""

    report: IngestReport
    put_stats: WriterStats


def relative_key(upload: Upload, settings: IngestSettings) -> str:
    """The key below `incoming/`: the name rejects and reports are filed under."""
    return upload.key.removeprefix(settings.incoming_prefix)


def _reject_invalid(
    exc: ValidationError, raw: dict[str, str], row: int, rejects: RejectsFile
) -> None:
    for column, reason in field_errors(exc):
        value = shown_value(column, raw.get(column)) if column else None
        rejects.add(RejectedRow(row_number=row, column=column, reason=reason, value=value))


def _parse_slowly(
    names: list[str], cells: list[str], row_number: int, rejects: RejectsFile
) -> FastRow | None:
    """The model (the authority, with reasons) for a row the fast check declined."""
    raw = dict(zip(names, cells, strict=True))
    try:
        return from_model(TransactionRow.model_validate(raw))
    except ValidationError as exc:
        _reject_invalid(exc, raw, row_number, rejects)
        return None


def _reject_duplicate(transaction_id: str, row_number: int, rejects: RejectsFile) -> None:
    reason = "duplicate transaction_id in this file"
    rejects.add(RejectedRow(row_number=row_number, column="transaction_id", reason=reason,
                            value=transaction_id))  # fmt: skip


def _stream_rows(
    upload: Upload, ctx: IngestContext, rejects: RejectsFile
) -> tuple[RowCounts, list[str]]:
    settings = ctx.settings
    counts = RowCounts()
    duplicates = DuplicateIds()
    csv.field_size_limit(settings.max_field_bytes)
    with open_text(ctx.open_bytes, upload.is_gzip, settings.max_decompressed_bytes) as text:
        header = next(csv.reader([text.readline()]), None)
        unknown = check_header(header)
        assert header is not None
        names = [name.strip() for name in header]
        started = ctx.now()
        parser = FastRowParser(names, started + FUTURE_TOLERANCE)
        builder = PayloadBuilder(
            Tokenizer(ctx.hmac_key), upload.bucket, upload.key, upload.upload_id, started
        )
        for row_number, cells in data_rows(text, len(names), rejects, counts):
            parsed = parser.accept(cells) or _parse_slowly(names, cells, row_number, rejects)
            if parsed is None:
                continue
            if parsed.transaction_id and duplicates.seen_before(parsed.transaction_id):
                _reject_duplicate(parsed.transaction_id, row_number, rejects)
                continue
            _, token, payload = builder.build(parsed, row_number)
            ctx.writer.add(payload, token)
            counts.accepted += 1
        ctx.writer.flush()
    return counts, unknown


def ingest_upload(upload: Upload, ctx: IngestContext) -> IngestOutcome:
    """Validate, tokenise and stream one upload; file rejects, row rejects and report to S3."""
    settings = ctx.settings
    prefixes = OutcomePrefixes(
        settings.refused_prefix, settings.rejected_prefix, settings.reports_prefix
    )
    outcome = FileOutcome(upload, relative_key(upload, settings), prefixes, ctx.store, ctx.now)
    rejects = RejectsFile()
    try:
        check_object(upload, settings.max_file_bytes)
        check_utf8(ctx.open_bytes, upload.is_gzip, settings.max_decompressed_bytes)
        counts, unknown = _stream_rows(upload, ctx, rejects)
        report = outcome.finished(counts, rejects, unknown)
    except FileRejectedError as refused:
        report = outcome.refused(refused.reason)
    finally:
        rejects.close()
    return IngestOutcome(report, ctx.writer.stats)
