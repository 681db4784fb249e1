"""Runs an upload CSV through the contracts alone: what the demo can show before ingest exists.

Rows are validated into `TransactionRow`, tokenised with a throw-away key and reported masked;
nothing leaves the process and no card number is printed.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from pydantic import ValidationError

from cardwatch_shared.card_number import mask, tokenize
from cardwatch_shared.contracts import RejectedRow, TransactionRow
from cardwatch_shared.contracts.field_errors import field_errors
from cardwatch_shared.hmac_key import generate_hmac_key_hex


@dataclass
class Preview:
    """Accepted rows (masked) and rejected rows of one file."""

    accepted: list[dict[str, str]] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def reasons(self) -> Counter[str]:
        """Rejected rows counted by reason."""
        return Counter(r.reason for r in self.rejected)


def _first_error(exc: ValidationError, row_number: int) -> RejectedRow:
    column, reason = field_errors(exc)[0]
    return RejectedRow(row_number=row_number, column=column, reason=reason)


def preview_csv(path: Path) -> Preview:
    """Validate and tokenise every row of `path` without sending anything anywhere."""
    key = bytes.fromhex(generate_hmac_key_hex())
    preview = Preview()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row_number, raw in enumerate(csv.DictReader(handle), start=1):
            try:
                row = TransactionRow.model_validate(raw)
            except ValidationError as exc:
                preview.rejected.append(_first_error(exc, row_number))
                continue
            preview.accepted.append(
                {
                    "row": str(row_number),
                    "card": mask(row.card_digits),
                    "token": tokenize(row.card_digits, key)[:12] + "…",
                    "amount": f"{row.amount} {row.currency}",
                    "merchant": row.merchant_name,
                    "time": row.timestamp.astimezone(UTC).isoformat(),
                }
            )
    return preview
