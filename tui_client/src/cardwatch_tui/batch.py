"""A batch of transactions entered or simulated in the app: validated with the shared contract,
saved as an upload CSV (the project's format), and remembered once uploaded."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from cardwatch_shared.card_number import mask
from cardwatch_shared.contracts.field_errors import field_errors
from cardwatch_shared.contracts.transaction_row import ALL_COLUMNS, TransactionRow

MERCHANT_CATEGORIES = {
    "4111": "Commuter transport",
    "4121": "Taxis and limousines",
    "4511": "Airlines",
    "5311": "Department stores",
    "5411": "Grocery stores, supermarkets",
    "5541": "Service stations",
    "5651": "Family clothing stores",
    "5732": "Electronics stores",
    "5812": "Restaurants",
    "5814": "Fast food restaurants",
    "5912": "Drug stores, pharmacies",
    "5944": "Jewelry stores",
    "5999": "Miscellaneous retail",
    "6011": "ATM cash withdrawal",
    "7011": "Hotels and lodging",
    "7995": "Betting and casino gambling",
}


def mcc_choices() -> list[str]:
    """`"5411 Grocery stores, supermarkets"`, … for a searchable input."""
    return [f"{code} {name}" for code, name in MERCHANT_CATEGORIES.items()]


@dataclass(frozen=True)
class Entry:
    """One validated transaction of the batch: the CSV cells, and the row it validated into."""

    cells: dict[str, str]

    @property
    def transaction_id(self) -> str:
        return self.cells["transaction_id"]

    @property
    def masked_card(self) -> str:
        return mask(self.cells["card_number"])


def validate(cells: dict[str, str]) -> tuple[Entry | None, dict[str, str]]:
    """An entry, or the error of each field that failed (never echoing a card number)."""
    values = {k: v.strip() for k, v in cells.items()}
    values.setdefault("transaction_id", "")
    values["transaction_id"] = values["transaction_id"] or f"tui-{uuid.uuid4().hex[:16]}"
    values["mcc"] = values.get("mcc", "")[:4]
    try:
        TransactionRow.model_validate(values)
    except ValidationError as error:
        errors: dict[str, str] = {}
        for column, reason in field_errors(error):
            errors.setdefault(column or "row", reason)
        return None, errors
    return Entry({c: values.get(c, "") for c in ALL_COLUMNS}), {}


@dataclass
class Batch:
    """The transactions being prepared; `saved`/`uploaded` say where they went."""

    batch_id: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y%m%dT%H%M%S"))
    entries: list[Entry] = field(default_factory=list)
    saved: Path | None = None
    uploaded_key: str | None = None

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        self._changed()

    def remove(self, transaction_id: str) -> Entry | None:
        """Take an entry out (to delete it, or to edit it in the form)."""
        for entry in self.entries:
            if entry.transaction_id == transaction_id:
                self.entries.remove(entry)
                self._changed()
                return entry
        return None

    def _changed(self) -> None:
        self.saved, self.uploaded_key = None, None

    def to_csv(self) -> bytes:
        """The upload CSV: the header of every column, one row per entry."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=ALL_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for entry in self.entries:
            writer.writerow(entry.cells)
        return out.getvalue().encode("utf-8")

    @property
    def file_name(self) -> str:
        return f"batch-{self.batch_id}.csv"

    def save(self, outbox: Path) -> Path:
        """Write the CSV to the outbox (owner-only: it holds card numbers); its path."""
        outbox.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = outbox / self.file_name
        path.write_bytes(self.to_csv())
        path.chmod(0o600)
        self.saved = path
        return path

    @property
    def upload_key(self) -> str:
        """One key per batch content: a retried upload overwrites, ingest dedupes by ETag."""
        return f"incoming/tui/{self.file_name}"
