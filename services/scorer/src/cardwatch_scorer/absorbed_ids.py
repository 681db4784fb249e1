"""The transactions a card has absorbed, remembered so that a replay is not counted twice.

A card keeps the last N ids it absorbed (`CARDWATCH_APPLIED_IDS_KEPT`, 500), and every batch reads
and writes them with the card's state. Kept as 8-byte BLAKE2b digests packed in one binary value,
a busy card's item is 4.7 KB instead of 20.8 KB with the ids as JSON text (5 write units instead of
21), and its bytes are copied rather than 500 strings parsed and dumped. A false match needs two
of a card's ids to share 64 bits (about 500 in 2⁶⁴), and is only ever consulted for a transaction
that already has a verdict.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

DIGEST_BYTES = 8
# A fresh BLAKE2b state, copied for each id: copying one is cheaper than setting one up.
_EMPTY = hashlib.blake2b(digest_size=DIGEST_BYTES)


def digest(transaction_id: str) -> bytes:
    """The 8-byte digest a card keeps of a transaction id."""
    state = _EMPTY.copy()
    state.update(transaction_id.encode())
    return state.digest()


class AbsorbedIds:
    """The digests of the ids a card absorbed, oldest first, at most `keep` of them."""

    __slots__ = ("_packed",)

    def __init__(self, packed: bytes = b"") -> None:
        if len(packed) % DIGEST_BYTES:
            raise ValueError(f"absorbed ids: {len(packed)} bytes is not a whole number of digests")
        self._packed = bytearray(packed)

    @classmethod
    def of(cls, transaction_ids: Iterable[str]) -> AbsorbedIds:
        """From ids (the card items written before digests: a JSON list of ids)."""
        return cls(b"".join(digest(tx) for tx in transaction_ids))

    def add(self, transaction_id: str, keep: int) -> None:
        """Remember one more id; the oldest are forgotten beyond `keep`."""
        self.extend((transaction_id,), keep)

    def extend(self, transaction_ids: Iterable[str], keep: int) -> None:
        """Remember these ids, in order; the oldest are forgotten beyond `keep`."""
        added = b"".join([digest(tx) for tx in transaction_ids])
        if not added:
            return
        packed = self._packed
        packed += added
        excess = len(packed) - keep * DIGEST_BYTES
        if excess > 0:
            del packed[:excess]

    def __contains__(self, transaction_id: object) -> bool:
        if not isinstance(transaction_id, str):
            return False
        wanted, packed = digest(transaction_id), self._packed
        at = packed.find(wanted)
        while at != -1 and at % DIGEST_BYTES:  # a match across two digests is no match
            at = packed.find(wanted, at + 1)
        return at != -1

    def __len__(self) -> int:
        return len(self._packed) // DIGEST_BYTES

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AbsorbedIds) and self._packed == other._packed

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"AbsorbedIds({len(self)} ids)"

    def to_bytes(self) -> bytes:
        """The packed digests, as stored."""
        return bytes(self._packed)
