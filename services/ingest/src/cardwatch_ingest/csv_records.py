"""The data records of an uploaded CSV: numbered from 1, malformed ones turned into rejects."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass

from cardwatch_ingest.reject_report import RejectsFile
from cardwatch_shared.contracts import RejectedRow


@dataclass
class RowCounts:
    """Rows read (every data record, good or bad) and rows accepted (set by the caller)."""

    read: int = 0
    accepted: int = 0


def data_rows(
    text: Iterator[str], width: int, rejects: RejectsFile, counts: RowCounts
) -> Iterator[tuple[int, list[str]]]:
    """Data rows with their 1-based number; malformed CSV records become rejects."""
    reader = csv.reader(text, strict=False)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            counts.read += 1
            reason = f"malformed CSV record: {exc}"
            rejects.add(RejectedRow(row_number=counts.read, reason=reason))
            continue
        if not cells:
            continue
        counts.read += 1
        if len(cells) != width:
            reason = f"row has {len(cells)} fields, the header has {width}"
            rejects.add(RejectedRow(row_number=counts.read, reason=reason))
            continue
        yield counts.read, cells
