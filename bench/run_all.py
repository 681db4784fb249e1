"""`make bench`: every benchmark in one run, one result file, one table.

Run: `uv run python -m bench.run_all [--out PATH] [--ingest-rows N] [--memory-rows N]
[--consumer-records N] [--moto-records N] [--latency-files N] [--sustained-rows N]`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench import (
    aws_calls,
    cold_start,
    consumer_path,
    ingest_path,
    model_training,
    pipeline_path,
    scorer_path,
)
from bench.results_table import table, write


def main() -> None:
    """Measure, print the markdown table, write `bench/results/<timestamp>.json`."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path)
    parser.add_argument("--ingest-rows", type=int, default=100_000)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    parser.add_argument("--batch-sizes", default="100,500,1000")
    parser.add_argument("--consumer-records", type=int, default=200_000)
    parser.add_argument("--moto-records", type=int, default=20_000)
    parser.add_argument("--latency-files", type=int, default=5, help="100-row files timed")
    parser.add_argument("--sustained-rows", type=int, default=3_000)
    parser.add_argument("--skip-model", action="store_true", help="skip the handbook training")
    args = parser.parse_args()
    measurements = ingest_path.throughput(args.ingest_rows)
    measurements += ingest_path.peak_memory(args.memory_rows)
    measurements += scorer_path.measure([int(n) for n in args.batch_sizes.split(",")])
    measurements += aws_calls.measure()
    measurements += cold_start.measure()
    measurements += consumer_path.measure(args.consumer_records, args.moto_records)
    measurements += pipeline_path.measure(args.latency_files, args.sustained_rows)
    if not args.skip_model:
        measurements += model_training.measure()
    print(table(measurements))
    print(f"written: {write(measurements, args.out)}")


if __name__ == "__main__":
    main()
