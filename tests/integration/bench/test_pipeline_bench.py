"""The end-to-end benchmark, small: a running local stack, latency and sustained rate beside
moto's own put-and-get floor of the same records."""

from __future__ import annotations

import pytest

from bench.pipeline_path import measure
from bench.results_table import table

pytestmark = pytest.mark.e2e


def test_small_pipeline_benchmark() -> None:
    measurements = measure(latency_files=1, sustained_rows=150, train=(250, 25))
    assert [m.unit for m in measurements] == ["ms", "ms", "ms", "verdicts/s"]
    assert all(m.value > 0 and m.reference_value > 0 for m in measurements)
    p50, p95, p99 = (m.value for m in measurements[:3])
    assert p50 <= p95 <= p99
    assert "| local stack sustained (150-row file) |" in table(measurements)
