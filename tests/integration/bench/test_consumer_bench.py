"""The consumer benchmark, small: every figure is measured beside its raw-loop floor."""

from __future__ import annotations

import pytest

from bench.consumer_path import measure
from bench.results_table import table

pytestmark = pytest.mark.integration


def test_small_consumer_benchmark() -> None:
    measurements = measure(fake_records=3_000, moto_records=600)
    assert [m.unit for m in measurements] == ["records/s"] * 3
    assert all(m.value > 0 and m.reference_value > 0 for m in measurements)
    assert "| consumer records/s (moto, leases in DynamoDB) |" in table(measurements)
