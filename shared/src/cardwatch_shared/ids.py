"""Transaction ids: time-ordered UUIDv7 when minted, name-based UUIDv5 when derived.

Ingest derives ids from the upload and the row so that a retried file yields the same ids and the
scorer's conditional writes make the replay harmless.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid

_NAMESPACE = uuid.UUID("6f1c6a34-3c0e-4d58-9a53-2b8f0c6a7e11")
_NAMESPACE_BYTES = _NAMESPACE.bytes


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
    """Stable id for a row that came without one: same upload and row, same id.

    A UUIDv5 (equal to `uuid.uuid5`), computed without building UUID objects: it runs per row.
    """
    name = f"{upload_id}#{row_number}".encode()
    sha1 = hashlib.sha1(_NAMESPACE_BYTES + name, usedforsecurity=False)
    digest = bytearray(sha1.digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
