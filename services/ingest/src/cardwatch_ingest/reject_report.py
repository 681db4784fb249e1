"""The rejects file: one CSV line per refused row, safe to open in a spreadsheet.

Cells are escaped against formula injection; card numbers appear masked at most.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter
from typing import IO

from cardwatch_shared.card_number import mask
from cardwatch_shared.contracts import RejectedRow
from cardwatch_shared.scrubber import scrub_text

HEADER = ("row_number", "column", "reason", "value")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_VALUE_CHARS = 200


def escape_cell(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with `'` (OWASP CSV injection)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def shown_value(column: str | None, raw: object) -> str | None:
    """What the user wrote, made safe to show: card numbers masked, long cells cut."""
    if raw is None or column is None:
        return None
    text = str(raw)
    if column == "card_number":
        digits = "".join(ch for ch in text if ch.isdigit())
        return mask(digits) if len(digits) >= 4 else None
    text = scrub_text(text)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


class RejectsFile:
    """Collects refused rows in a spooled temporary file (bounded memory) and counts reasons."""

    def __init__(self, spool_bytes: int = 8 * 1024 * 1024) -> None:
        self._file: IO[str] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - closed in close()
            max_size=spool_bytes, mode="w+", encoding="utf-8", newline=""
        )
        self._writer = csv.writer(self._file)
        self._writer.writerow(HEADER)
        self.reasons: Counter[str] = Counter()
        self.count = 0
        self.rows = 0
        self._last_row = 0

    def add(self, rejected: RejectedRow) -> None:
        """Record one reason a row was refused (a row may have several)."""
        self.count += 1
        if rejected.row_number != self._last_row:
            self.rows += 1
            self._last_row = rejected.row_number
        self.reasons[rejected.reason] += 1
        cells = (str(rejected.row_number), rejected.column or "", rejected.reason, rejected.value)
        self._writer.writerow([escape_cell(c or "") for c in cells])

    def content(self) -> io.BytesIO:
        """The CSV as bytes, ready to upload."""
        self._file.seek(0)
        return io.BytesIO(self._file.read().encode("utf-8"))

    def close(self) -> None:
        """Drop the temporary file."""
        self._file.close()
