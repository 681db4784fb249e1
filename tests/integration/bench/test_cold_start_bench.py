"""The cold-start benchmark, small: each handler's init beside a bare interpreter."""

from __future__ import annotations

import pytest

from bench.cold_start import measure

pytestmark = pytest.mark.integration


def test_small_cold_start_benchmark() -> None:
    measurements = {m.name: m for m in measure(repeats=1, cards=60)}
    for service in ("ingest", "scorer", "notifier"):
        init = measurements[f"{service} init (interpreter + handler import)"]
        assert init.unit == "ms"
        assert init.value > 0
        assert init.reference_value > 0
    assert measurements["scorer peak RSS (imported, model loaded)"].unit == "MiB"
