"""Epoch seconds of UTC times to the second, a column at a time, equal `datetime.timestamp()`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_scorer.utc_seconds import utc_seconds

pytestmark = pytest.mark.unit

moments = st.datetimes(
    min_value=datetime(1, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(9999, 12, 31, 23, 59, 59),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@settings(max_examples=300, deadline=None)
@given(times=st.lists(moments, max_size=20))
def test_every_time_from_year_1_to_9999_is_its_timestamp(times: list[datetime]) -> None:
    texts = [time.strftime("%Y-%m-%dT%H:%M:%SZ").rjust(20, "0") for time in times]
    expected = [datetime.fromisoformat(text).timestamp() for text in texts]
    assert utc_seconds(texts) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2000-02-29T12:00:00Z",
        "2100-03-01T00:00:00Z", "1900-02-28T23:59:59Z", "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z", "2026-11-20T09:00:00Z",
    ],
)  # fmt: skip
def test_calendar_edges(text: str) -> None:
    assert utc_seconds([text]) == [datetime.fromisoformat(text).timestamp()]
