"""The fast row check for one row given as a dict, as tests write rows (the header is its keys)."""

from __future__ import annotations

from datetime import datetime

from cardwatch_shared.contracts.transaction_row_fast import FastRow, FastRowParser


def accept_row(raw: dict[str, str], latest: datetime) -> FastRow | None:
    """`FastRowParser` over a one-row file whose header is `raw`'s keys."""
    if not all(isinstance(value, str) for value in raw.values()):
        return None
    return FastRowParser(list(raw), latest).accept(list(raw.values()))
