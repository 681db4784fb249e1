"""Transaction ids: UUIDv7 layout and stable derived ids."""

from __future__ import annotations

import time
import uuid

import pytest

from cardwatch_shared.ids import derived_transaction_id, uuid7

pytestmark = pytest.mark.unit


def test_uuid7_version_variant_and_time() -> None:
    value = uuid.UUID(uuid7())
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    millis = value.int >> 80
    assert abs(millis - time.time_ns() // 1_000_000) < 5_000


def test_uuid7_sorts_by_time() -> None:
    first = uuid7()
    time.sleep(0.002)
    assert uuid7() > first


def test_derived_ids_are_stable_per_upload_and_row() -> None:
    assert derived_transaction_id("b/k@e", 3) == derived_transaction_id("b/k@e", 3)
    assert derived_transaction_id("b/k@e", 3) != derived_transaction_id("b/k@e", 4)
    assert derived_transaction_id("b/k@e", 3) != derived_transaction_id("b/k@f", 3)
