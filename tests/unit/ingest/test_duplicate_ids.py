"""The compact id table: exact answers through growth, 16 bytes an id at most."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardwatch_ingest.duplicate_ids import DuplicateIds

pytestmark = pytest.mark.unit


@given(st.lists(st.text(min_size=1, max_size=12), max_size=300))
def test_answers_like_a_set(ids: list[str]) -> None:
    table, seen = DuplicateIds(), set()
    for transaction_id in ids:
        assert table.seen_before(transaction_id) == (transaction_id in seen)
        seen.add(transaction_id)
    assert len(table) == len(seen)


def test_a_hundred_thousand_ids_stay_small() -> None:
    table = DuplicateIds()
    assert not any(table.seen_before(f"tx-{i}") for i in range(100_000))
    assert all(table.seen_before(f"tx-{i}") for i in range(0, 100_000, 7))
    assert table._slots.itemsize * len(table._slots) <= 16 * 131_072
