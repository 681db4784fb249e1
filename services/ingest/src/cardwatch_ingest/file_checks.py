"""File-level checks: a file that fails one is refused whole, with a reason, before any row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from cardwatch_ingest.upload import Upload
from cardwatch_shared.contracts.transaction_row import (
    ALL_COLUMNS,
    FORBIDDEN_COLUMNS,
    REQUIRED_COLUMNS,
)

ACCEPTED_SUFFIXES = (".csv", ".csv.gz")


class FileRejectedError(Exception):
    """The whole file is refused; `reason` says why in words a user can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_object(upload: Upload, max_bytes: int) -> None:
    """Suffix and size, from the event alone."""
    if not upload.key.lower().endswith(ACCEPTED_SUFFIXES):
        raise FileRejectedError("file must end in .csv or .csv.gz")
    if upload.size == 0:
        raise FileRejectedError("file is empty: a header row is required")
    if upload.size > max_bytes:
        raise FileRejectedError(f"file is {upload.size} bytes, over the limit of {max_bytes}")


def check_columns(
    header: Sequence[str] | None,
    required: Sequence[str],
    refused: Collection[str],
    refused_reason: str,
) -> list[str]:
    """Validate a header row: not empty, no refused column (`refused_reason` says why), no
    duplicate, every required one present; return the names that are not required."""
    if not header:
        raise FileRejectedError("file is empty: a header row is required")
    names = [name.strip() for name in header]
    forbidden = sorted(n for n in names if n.lower() in refused)
    if forbidden:
        raise FileRejectedError(f"{refused_reason}: column(s) {', '.join(forbidden)}")
    duplicates = sorted(n for n, count in Counter(names).items() if count > 1)
    if duplicates:
        raise FileRejectedError(f"duplicate column(s): {', '.join(duplicates)}")
    missing = [c for c in required if c not in names]
    if missing:
        hint = " (the delimiter must be a comma)" if len(names) == 1 and ";" in names[0] else ""
        raise FileRejectedError(f"missing required column(s): {', '.join(missing)}{hint}")
    return [n for n in names if n not in required]


def check_header(header: Sequence[str] | None) -> list[str]:
    """Validate a transactions header row; return the unknown columns (ignored, reported)."""
    reason = "sensitive authentication data is refused"
    check_columns(header, REQUIRED_COLUMNS, FORBIDDEN_COLUMNS, reason)
    assert header is not None
    return [n for n in (name.strip() for name in header) if n not in ALL_COLUMNS]
