"""Runs the ingest handler in a fresh process and prints the peak memory Python allocated while
it ingested one upload, so a test can compare file sizes without counting the in-process moto
server or the one-off cost of imports and clients (a first, warm-up upload pays those)."""

from __future__ import annotations

import json
import sys
import tracemalloc

from cardwatch_ingest import handler
from kinesis_consumer.esm import LambdaContext


def main() -> None:
    """`python -m tests.support.ingest_memory_probe WARM_EVENT EVENT` prints peak and result."""
    warm, measured = (json.loads(arg) for arg in sys.argv[1:3])
    handler.lambda_handler(warm, LambdaContext("cardwatch-ingest", timeout_s=900.0))
    tracemalloc.start()
    result = handler.lambda_handler(measured, LambdaContext("cardwatch-ingest", timeout_s=900.0))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    sys.stdout.write(json.dumps({"peak_bytes": peak, "result": result}) + "\n")


if __name__ == "__main__":
    main()
