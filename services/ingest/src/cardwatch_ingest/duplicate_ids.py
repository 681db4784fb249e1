"""Transaction ids already seen in one file, in 16 to 32 bytes an id whatever the file's size.

Each id is kept as its 64-bit string hash (CPython's SipHash, keyed at random per process, so a
file cannot be made to collide on purpose) in an open-addressing table (an `array` of unsigned
64-bit slots, at most half full). A Python set of the same digests costs about 100 bytes an id:
too much for the millions of rows a 512 MiB upload holds.
"""

from __future__ import annotations

from array import array

INITIAL_SLOTS = 1 << 12
_EMPTY = 0
_UNSIGNED_64 = (1 << 64) - 1


def _digest(transaction_id: str) -> int:
    return hash(transaction_id) & _UNSIGNED_64 or 1  # 0 marks an empty slot


class DuplicateIds:
    """Remembers ids; `seen_before` answers whether an id came earlier in the file."""

    def __init__(self) -> None:
        self._slots = array("Q", bytes(8 * INITIAL_SLOTS))
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def seen_before(self, transaction_id: str) -> bool:
        """True if the id was added before; otherwise add it and return False."""
        if self._insert(self._slots, _digest(transaction_id)):
            self._count += 1
            if 2 * self._count > len(self._slots):
                self._grow()
            return False
        return True

    @staticmethod
    def _insert(slots: array[int], value: int) -> bool:
        mask = len(slots) - 1
        index = value & mask
        while slots[index] != _EMPTY:
            if slots[index] == value:
                return False
            index = (index + 1) & mask
        slots[index] = value
        return True

    def _grow(self) -> None:
        bigger = array("Q", bytes(16 * len(self._slots)))
        for value in self._slots:
            if value != _EMPTY:
                self._insert(bigger, value)
        self._slots = bigger
