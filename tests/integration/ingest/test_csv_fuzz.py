"""Hypothesis fuzzing of the ingest CSV path on moto: whatever the bytes, the handler answers with
a report (never an unhandled exception), counts add up, nothing leaks, memory stays bounded."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardwatch_shared.contracts import IngestReport
from cardwatch_shared.contracts.transaction_row import ALL_COLUMNS
from tests.integration.ingest.conftest import IngestStack
from tests.support.cards import TEST_PANS
from tests.support.csv_files import good_row, to_csv
from tests.support.leaks import assert_clean

pytestmark = pytest.mark.integration

_names = itertools.count()
NASTY_TEXT = st.text(
    alphabet=st.sampled_from(list(",;\"'\r\n\t\x00=+-@ \ufeffé€٤0123456789.:xZT")), max_size=40
)
CELL = st.one_of(
    NASTY_TEXT,
    st.sampled_from([*TEST_PANS, "4111111111111112", "12.50", "EUR", "2026-11-20T10:00:00Z", ""]),
)


@st.composite
def csv_bodies(draw: st.DrawFn) -> bytes:
    """A header (real, shuffled, truncated or garbage) and rows mixing good and hostile cells."""
    columns = draw(
        st.one_of(
            st.just(list(ALL_COLUMNS)),
            st.permutations(list(ALL_COLUMNS)),
            st.lists(st.sampled_from([*ALL_COLUMNS, "cvv", "note", ""]), max_size=16),
        )
    )
    lines = [",".join(columns)]
    for index in range(draw(st.integers(0, 6))):
        row = good_row(index)
        cells = [row.get(c, "") for c in columns]
        for position in draw(st.lists(st.integers(0, max(len(cells) - 1, 0)), max_size=3)):
            if cells:
                cells[position] = draw(CELL)
        lines.append(",".join(cells))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return text.encode(encoding, errors="replace")


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=csv_bodies())
def test_any_bytes_get_a_report_and_nothing_leaks(
    ingest_stack: IngestStack, capsys: pytest.CaptureFixture[str], body: bytes
) -> None:
    name = f"fuzz-{next(_names)}.csv"
    before = len(ingest_stack.stream_records())
    result = ingest_stack.invoke(ingest_stack.upload(f"incoming/{name}", body))
    report = IngestReport.model_validate(result)
    assert (report.file_error is not None) == (report.status == "rejected")
    assert report.rows_accepted + report.rows_rejected <= report.rows_read
    assert len(ingest_stack.stream_records()) - before == report.rows_accepted
    assert ingest_stack.object_keys(f"reports/{name}.json")
    texts = [capsys.readouterr().out, json.dumps(result)]
    texts += [ingest_stack.object_text(k) for k in ingest_stack.object_keys("rejected/")
              if k.endswith(".errors.csv")]  # fmt: skip
    for text in texts:
        assert_clean(text)


def _event(stack: IngestStack, rows: int) -> str:
    body = to_csv(good_row(i, transaction_id=f"mem-{rows}-{i}") for i in range(rows))
    return json.dumps(stack.upload(f"incoming/mem-{rows}.csv", body))


def _peak_bytes(stack: IngestStack, rows: int) -> int:
    probe = [sys.executable, "-m", "tests.support.ingest_memory_probe", _event(stack, 1)]
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*probe, _event(stack, rows)], capture_output=True, text=True, check=True, timeout=300
    )
    reply = json.loads(done.stdout.strip().splitlines()[-1])
    assert reply["result"]["rows_accepted"] == rows
    return int(reply["peak_bytes"])


def test_memory_does_not_grow_with_the_file(ingest_stack: IngestStack) -> None:
    """Rows are streamed: only the duplicate-id table grows with the file (16 bytes an id, a
    power of two of slots, twice while it grows); a parsed row held in memory would cost ~1.5 KB."""
    small = _peak_bytes(ingest_stack, 1_000)
    large = _peak_bytes(ingest_stack, 10_000)
    assert large - small < 64 * 9_000 + 128 * 1024, (small, large)
