"""The ingest benchmark, small: it runs, measures both paths and writes its result files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.ingest_path import peak_memory, throughput
from bench.results_table import table, write

pytestmark = pytest.mark.unit


def test_small_ingest_benchmark(tmp_path: Path) -> None:
    measurements = throughput(300) + peak_memory(2_000)
    assert [m.unit for m in measurements] == ["rows/s", "MiB"]
    assert all(m.value > 0 and m.reference_value > 0 for m in measurements)
    out = write(measurements, tmp_path / "bench.json")
    body = json.loads(out.read_text())
    assert {"name", "value", "unit", "reference_name", "reference_value", "ratio"} <= set(
        body["measurements"][0]
    )
    assert body["machine"]["cores"]
    assert "| ingest path rows/s |" in table(measurements)
