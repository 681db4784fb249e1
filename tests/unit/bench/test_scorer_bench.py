"""The scorer benchmark, small: it runs the path, the floor (the scorer's own prediction call) and
the naive scorer for one batch size, on one OpenMP thread, and reports each beside its reference."""

from __future__ import annotations

from typing import Any

import pytest
from threadpoolctl import threadpool_info

from bench import scorer_path
from cardwatch_scorer.boosted_trees import BoostedTrees

pytestmark = pytest.mark.unit


def test_small_scorer_benchmark(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[int] = []
    measure_size = scorer_path.measure_size

    def watched(live: Any, n: int) -> Any:
        assert isinstance(live.predictor, BoostedTrees), "the floor is the scorer's own call"
        threads.extend(pool["num_threads"] for pool in threadpool_info())
        return measure_size(live, n)

    monkeypatch.setattr(scorer_path, "measure_size", watched)
    measurements = scorer_path.measure([20])
    assert [m.reference_name for m in measurements] == [
        *["bare predict_proba, µs a record"] * 4,
        "bare predict_proba",
        "scikit-learn's own predict_proba (a Python call a tree)",
        "naive per-record scorer",
        "bare predict_proba",
        "bare predict_proba",
        "scorer path, model only",
        "every record validated by the contract's pydantic model",
        "the same, state keyed by day",
        "the same, before digests",
        "before digests",
        "through boto3's deserialiser",
    ]
    whole, decode, items, rest = measurements[:4]
    assert all(m.value > 0 < m.reference_value for m in measurements if m is not rest)
    assert [m.unit for m in measurements][:10] == ["µs a record"] * 4 + ["records/s"] * 6
    assert decode.value + items.value < whole.value, "parts of the path, each timed alone"
    assert rest.value == pytest.approx(whole.value - whole.reference_value - decode.value
                                       - items.value)  # fmt: skip
    size = measurements[-2]
    assert 4_000 < size.value < 5_000, "500 digests of 8 bytes, a month of state, the key"
    assert size.ratio < 0.3, "500 digests are a fraction of 500 ids in JSON"
    assert threads
    assert set(threads) == {1}  # every OpenMP / BLAS pool held to one thread while measuring
