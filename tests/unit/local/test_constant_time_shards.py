"""The emulator's constant-time Kinesis shard methods give moto's own results: the last and first
sequence numbers, and every GetRecords from any position with any limit."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.kinesis.models import Shard

from cardwatch_local.moto_fixes import ORIGINAL_SHARD_METHODS, constant_time_shards

pytestmark = pytest.mark.unit


def _shard(size: int) -> Shard:
    constant_time_shards()
    shard = Shard(0, 0, 2**128 - 1)
    for n in range(size):
        shard.put_record(f"key-{n}", f"data-{n}", str(n))
    return shard


def _read(records: tuple[list[Any], int, int]) -> tuple[list[int], int, int]:
    found, last, behind = records
    return [r.sequence_number for r in found], last, behind


@settings(max_examples=200, deadline=None)
@given(
    size=st.integers(0, 40),
    start=st.integers(-1, 45),
    limit=st.one_of(st.none(), st.integers(0, 50)),
)
def test_reads_match_moto(size: int, start: int, limit: int | None) -> None:
    shard = _shard(size)
    assert shard.get_max_sequence_number() == ORIGINAL_SHARD_METHODS["max"](shard)
    assert shard.get_min_sequence_number() == ORIGINAL_SHARD_METHODS["min"](shard)
    ours = shard.get_records(str(start), limit)
    theirs = ORIGINAL_SHARD_METHODS["get_records"](shard, str(start), limit)
    assert _read(ours) == _read(theirs)


def test_sequence_numbers_stay_consecutive() -> None:
    shard = _shard(5)
    assert shard.put_record("k", "d", "1") == "6"
    assert list(shard.records) == [1, 2, 3, 4, 5, 6]


def test_a_shard_with_gaps_is_read_the_slow_way() -> None:
    shard = _shard(6)
    del shard.records[3]
    ours = _read(shard.get_records("1", None))
    assert ours == _read(ORIGINAL_SHARD_METHODS["get_records"](shard, "1", None))
    assert ours[0] == [2, 4, 5, 6]
