"""Transaction ids: time-ordered UUIDv7 when minted, name-based UUIDv5 when derived.

Ingest derives ids from the upload and the row so that a retried file yields the same ids and the
scorer's conditional writes make the replay harmless.
"""

from __future__ import annotations

import os
import time
import uuid

_NAMESPACE = uuid.UUID("6f1c6a34-3c0e-4d58-9a53-2b8f0c6a7e11")


def uuid7() -> str:
    """A UUIDv7 (RFC 9562): 48-bit millisecond timestamp then random bits."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def derived_transaction_id(upload_id: str, row_number: int) -> str:
    """Stable id for a row that came without one: same upload and row, same id."""
    return str(uuid.uuid5(_NAMESPACE, f"{upload_id}#{row_number}"))
