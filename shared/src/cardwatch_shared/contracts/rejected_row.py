"""`RejectedRow`: one CSV row ingest refused, with where and why."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from cardwatch_shared.contracts.base import Contract


class RejectedRow(Contract):
    """A refused row: its 1-based number, the column at fault (if one) and the reason.

    `value` is what the user wrote, escaped against formula injection and never a card number.
    """

    SCHEMA_NAME: ClassVar[str] = "rejected_row"
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    row_number: int = Field(ge=1)
    column: str | None = None
    reason: str = Field(min_length=1)
    value: str | None = Field(default=None, max_length=200)
