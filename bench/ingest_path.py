"""Ingest compute path: parse + validate + tokenise + PutRecords payloads, no network.

Beside it, the floor: a bare `csv.reader` pass over the same bytes. Also peak RSS while a
1,000,000-row file streams through the whole path (bounded memory), in a child process.
Run: `uv run python -m bench.ingest_path [--rows N] [--memory-rows N]`.
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, BinaryIO

from bench.peak_rss import peak_rss_kib
from bench.results_table import Measurement, table, write


def make_csv(rows: int) -> bytes:
    """A realistic upload of `rows` valid rows."""
    from tests.support.csv_files import good_row, to_csv

    return to_csv(good_row(i) for i in range(rows))


class NullStore:
    """S3 stand-in for a pure compute measurement: accepts writes, keeps nothing."""

    def move(self, upload: Any, new_key: str) -> None:
        """Nothing to move in a benchmark."""

    def put(self, bucket: str, key: str, body: bytes | BinaryIO, content_type: str) -> None:
        """Drop the object."""


def null_put_records(**kwargs: Any) -> dict[str, Any]:
    """Kinesis stand-in: every record accepted."""
    return {"FailedRecordCount": 0, "Records": [{"SequenceNumber": "1", "ShardId": "s"}]
            * len(kwargs["Records"])}  # fmt: skip


def run_ingest(open_bytes: Any, size: int) -> int:
    """The whole domain path over one upload; returns the rows accepted."""
    from cardwatch_ingest.ingest_file import IngestContext, ingest_upload
    from cardwatch_ingest.kinesis_writer import KinesisWriter
    from cardwatch_ingest.settings import IngestSettings
    from cardwatch_ingest.upload import Upload

    settings = IngestSettings(hmac_key_hex="00" * 32)
    upload = Upload(bucket="b", key="incoming/bench.csv", size=size, etag="e")
    writer = KinesisWriter(null_put_records, "s", lambda: 10**9)
    ctx = IngestContext(settings, bytes(32), NullStore(), writer, open_bytes)
    return ingest_upload(upload, ctx).report.rows_accepted


def bare_read(data: bytes) -> int:
    """The floor: decode and split the same bytes with csv.reader."""
    return sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def best_of(repeats: int, func: Any, *args: Any) -> float:
    """Fastest wall time of `repeats` runs."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def throughput(rows: int) -> list[Measurement]:
    """rows/s of the full path and of the bare read, on the same bytes."""
    data = make_csv(rows)
    full = best_of(3, run_ingest, lambda: io.BytesIO(data), len(data))
    floor = best_of(3, bare_read, data)
    return [Measurement("ingest path rows/s", rows / full, "rows/s",
                        "bare csv.reader rows/s", rows / floor)]  # fmt: skip


def memory_child(path: str) -> None:
    """In a fresh process: RSS after imports, then peak RSS after streaming the file."""
    import cardwatch_ingest.ingest_file  # noqa: F401 - imports counted in the baseline

    baseline = peak_rss_kib()
    size = Path(path).stat().st_size
    accepted = run_ingest(lambda: Path(path).open("rb"), size)  # noqa: SIM115 - closed by ingest
    peak = peak_rss_kib()
    print(f"{baseline} {peak} {accepted}")


def peak_memory(rows: int) -> list[Measurement]:
    """Peak RSS (MiB) streaming `rows` rows, beside the RSS after imports."""
    with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
        chunk = 100_000
        from tests.support.csv_files import good_row, to_csv

        for start in range(0, rows, chunk):
            body = to_csv(good_row(i) for i in range(start, min(rows, start + chunk)))
            handle.write(body if start == 0 else body.split(b"\n", 1)[1])
        handle.flush()
        out = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bench.ingest_path", "--memory-child", handle.name],
            check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
    baseline, peak, accepted = (int(x) for x in out[-3:])
    assert accepted == rows, f"{accepted} of {rows} rows accepted"
    return [Measurement(f"ingest peak RSS, {rows:,} rows", peak / 1024, "MiB",
                        "RSS after imports", baseline / 1024)]  # fmt: skip


def main() -> None:
    """Run, print the table, write the result files."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    parser.add_argument("--memory-child")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    measurements = throughput(args.rows) + peak_memory(args.memory_rows)
    print(table(measurements))
    print(f"written: {write(measurements, args.out)}")


if __name__ == "__main__":
    main()
