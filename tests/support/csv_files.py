"""Builds upload CSV files for tests in the documented format."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from cardwatch_shared.contracts.transaction_row import ALL_COLUMNS
from tests.support.cards import TEST_PANS


def good_row(index: int = 0, **changes: str) -> dict[str, str]:
    """A valid row; `index` varies the card, amount and id."""
    row = {
        "transaction_id": f"tx-{index:06d}",
        "card_number": TEST_PANS[index % len(TEST_PANS)],
        "amount": f"{10 + index % 90}.{index % 100:02d}",
        "currency": "EUR",
        "timestamp": f"2026-11-20T{index % 24:02d}:{index % 60:02d}:00Z",
        "merchant_id": f"M-{index % 17}",
        "merchant_name": "Boulangerie Martin",
        "mcc": "5462",
        "terminal_id": f"T-{index % 31}",
        "channel": "card_present",
        "country": "FR",
        "latitude": "48.85",
        "longitude": "2.35",
    }
    row.update(changes)
    return row


def to_csv(
    rows: Iterable[dict[str, str]],
    columns: Sequence[str] = ALL_COLUMNS,
    delimiter: str = ",",
    line_terminator: str = "\n",
) -> bytes:
    """Rows as a UTF-8 CSV file."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out,
        fieldnames=list(columns),
        delimiter=delimiter,
        lineterminator=line_terminator,
        extrasaction="ignore",
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
