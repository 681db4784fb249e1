"""The hand-rolled derived id is exactly RFC 9562's UUIDv5."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cardwatch_shared import ids

pytestmark = pytest.mark.unit


@given(st.text(max_size=80), st.integers(min_value=1, max_value=10**9))
def test_equals_uuid5(upload_id: str, row: int) -> None:
    expected = uuid.uuid5(ids._NAMESPACE, f"{upload_id}#{row}")
    assert ids.derived_transaction_id(upload_id, row) == str(expected)
