"""The AWS client benchmark, small: every call runs on the wire and through botocore, never
reaching the network, and is reported beside its reference."""

from __future__ import annotations

import pytest

from bench import aws_calls

pytestmark = pytest.mark.unit


def test_small_state_calls_benchmark() -> None:
    measurements = aws_calls.measure(runs=1, repeats=1)
    assert [m.unit for m in measurements] == [
        "terminals/s",
        "cards/s",
        "verdicts/s",
        "cards/s",
        "records/s",
        "calls/s",
    ]
    assert {m.reference_name for m in measurements[:-1]} == {aws_calls.REFERENCE}
    assert measurements[-1].reference_name == "the same, botocore's own User-Agent"
    assert all(m.value > 0 < m.reference_value for m in measurements)
