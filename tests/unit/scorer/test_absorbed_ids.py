"""A card's memory of the transactions it absorbed: the last `keep` ids, as packed digests."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardwatch_scorer.absorbed_ids import DIGEST_BYTES, AbsorbedIds, digest

ids = st.lists(st.text(min_size=1, max_size=64), max_size=60)


@given(ids, st.integers(min_value=1, max_value=40), st.text(min_size=1, max_size=64))
def test_it_remembers_exactly_the_last_keep_ids(absorbed: list[str], keep: int, other: str) -> None:
    memory = AbsorbedIds()
    for tx in absorbed:
        memory.add(tx, keep)
    kept = absorbed[-keep:]
    assert len(memory) == len(kept)
    assert all(tx in memory for tx in kept)
    assert (other in memory) == (other in kept)


@given(ids, ids, st.integers(min_value=1, max_value=40))
def test_ids_added_at_once_are_kept_as_if_one_by_one(
    earlier: list[str], batch: list[str], keep: int
) -> None:
    one_by_one, at_once = AbsorbedIds.of(earlier), AbsorbedIds.of(earlier)
    for tx in batch:
        one_by_one.add(tx, keep)
    at_once.extend(batch, keep)
    assert at_once == one_by_one


@given(ids)
def test_its_bytes_are_what_it_reads_back(absorbed: list[str]) -> None:
    memory = AbsorbedIds.of(absorbed)
    assert AbsorbedIds(memory.to_bytes()) == memory
    assert len(memory.to_bytes()) == DIGEST_BYTES * len(absorbed)


def test_a_match_across_two_digests_is_no_match() -> None:
    wanted = digest("tx-wanted")
    straddling = b"\0" * 4 + wanted + b"\0" * 4  # the digest sits astride two stored ones
    memory = AbsorbedIds(straddling)
    assert len(memory) == 2
    assert "tx-wanted" not in memory
    assert "tx-wanted" in AbsorbedIds(straddling + wanted)


def test_bytes_that_are_not_whole_digests_are_refused() -> None:
    with pytest.raises(ValueError, match="not a whole number of digests"):
        AbsorbedIds(b"\1" * (DIGEST_BYTES + 3))


def test_only_ids_are_members() -> None:
    assert 7 not in AbsorbedIds.of(["7"])
    assert "7" in AbsorbedIds.of(["7"])


def test_a_digest_is_the_ids_8_byte_blake2b_as_stored_cards_hold_it() -> None:
    """Cards stored before keep their digests readable: the format is BLAKE2b of the id's UTF-8,
    8 bytes, each digest independent of the ones made before it."""
    ids = ["tx-1", "tx-2", "é" * 64, "tx-1"]
    assert [digest(tx) for tx in ids] == [
        hashlib.blake2b(tx.encode(), digest_size=DIGEST_BYTES).digest() for tx in ids
    ]
    assert digest("tx-1").hex() == hashlib.blake2b(b"tx-1", digest_size=8).hexdigest()
