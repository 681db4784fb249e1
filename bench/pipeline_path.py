"""End to end on the local stack (`cardwatch local up` in a child process, moto in its own):
upload → verdict latency of 100-row files, and sustained verdicts/s for a larger file; beside
moto's own floor, raw PutRecords + GetRecords of the same records on the same emulator.
Run: `uv run python -m bench.pipeline_path [--latency-files N] [--sustained-rows N]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from bench.results_table import Measurement, table, write

LATENCY_ROWS = 100
WAIT_S = 7200.0
POLL_IDS = 100  # ids asked per poll: the wait must not load the emulator it measures
PUT_LIMIT = 500


@contextmanager
def running_stack(folder: Path, train: tuple[int, int]) -> Iterator[tuple[dict[str, Any], Any]]:
    """`local up` on a free port with its state in `folder`, a model trained on `train` (cards,
    days) of simulation; (clients, stack) while it runs."""
    from cardwatch_local.pipeline_demo import DemoSize, train_demo_model
    from cardwatch_local.running_demo import client_environment
    from cardwatch_local.serve import wait_for_state
    from cardwatch_local.settings import LocalSettings
    from cardwatch_local.stack import read

    env = os.environ | {"CARDWATCH_LOCAL_STATE_DIR": str(folder), "CARDWATCH_LOCAL_PORT": "0"}
    env["CARDWATCH_LOCAL_LOG_FORMAT"] = "json"
    command = [sys.executable, "-m", "cardwatch_local.cli", "local", "up", "--no-model"]
    with (folder / "local-up.log").open("w") as log:
        child = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        state = wait_for_state(LocalSettings(local_state_dir=folder), timeout_s=300)
        if state is None:
            raise RuntimeError(f"the local stack did not start; see {folder / 'local-up.log'}")
        with client_environment(state["endpoint"]) as clients:
            stack = read(clients)
            size = DemoSize(train_cards=train[0], train_days=train[1])
            train_demo_model(stack, clients, size)
            yield clients, stack
    finally:
        child.terminate()
        child.wait(timeout=60)


def upload_files(folder: Path, sizes: list[int]) -> list[tuple[Path, list[str]]]:
    """CSV files of `sizes` rows from one simulation (distinct transactions), with their ids."""
    from cardwatch_ml.simulator import SimulationConfig, simulate, write_upload

    total = sum(sizes)
    cards = max(100, total // 20)  # about one transaction per card and day over 30 days
    sim = simulate(SimulationConfig(cards=cards, terminals=2 * cards, days=30, seed=11))
    if sim.transactions.height < total:
        raise ValueError(f"the simulation holds {sim.transactions.height} rows, {total} asked")
    rows = sim.transactions.sample(n=total, seed=1, shuffle=True)
    out, start = [], 0
    for index, size in enumerate(sizes):
        part = rows.slice(start, size).sort("timestamp")
        start += size
        path = folder / f"bench-{index}.csv"
        labels = sim.labels.filter(pl.col("transaction_id").is_in(part["transaction_id"].implode()))
        write_upload(type(sim)(part, labels), str(path), str(path) + ".labels")
        out.append((path, part["transaction_id"].to_list()))
    return out


def scored_at(dynamodb: Any, table_name: str, ids: list[str]) -> dict[str, float]:
    """Epoch seconds each existing verdict of `ids` was scored at (BatchGetItem, 100 at a time)."""
    found: dict[str, float] = {}
    for start in range(0, len(ids), 100):
        keys = [{"transaction_id": {"S": i}} for i in ids[start : start + 100]]
        request: dict[str, Any] = {
            table_name: {"Keys": keys, "ProjectionExpression": "transaction_id, scored_at"}
        }
        while request:
            reply = dynamodb.batch_get_item(RequestItems=request)
            for item in reply["Responses"].get(table_name, []):
                moment = datetime.fromisoformat(item["scored_at"]["S"]).timestamp()
                found[item["transaction_id"]["S"]] = moment
            request = reply.get("UnprocessedKeys") or {}
    return found


def upload_and_wait(
    clients: dict[str, Any], stack: Any, path: Path, ids: list[str]
) -> tuple[float, dict[str, float]]:
    """Upload `path` and wait for every verdict: (upload time, scored time by id). Each poll asks
    for the first `POLL_IDS` ids still pending (one request); the times are the verdicts' own."""
    key = f"incoming/bench/{path.name}"
    uploaded = time.time()
    clients["s3"].upload_file(str(path), stack.bucket, key)
    deadline = time.monotonic() + WAIT_S
    pending, done = list(ids), dict[str, float]()
    while pending and time.monotonic() < deadline:
        window = pending[:POLL_IDS]
        found = scored_at(clients["dynamodb"], stack.verdicts_table, window)
        done |= found
        pending = [i for i in window if i not in found] + pending[len(window) :]
        if len(found) < len(window):
            time.sleep(0.25)
    if pending:
        raise RuntimeError(f"{len(pending)} of {len(ids)} rows got no verdict in {WAIT_S:g} s")
    return uploaded, done


def stream_records(kinesis: Any, stream: str, ids: set[str]) -> list[dict[str, Any]]:
    """The records the ingest put for `ids` (data and partition key), read back from the stream."""
    import json

    from tests.support.kinesis_reader import raw_records

    return [
        {"Data": r["Data"], "PartitionKey": r["PartitionKey"]}
        for r in raw_records(kinesis, stream)
        if json.loads(r["Data"])["transaction_id"] in ids
    ]


def moto_floor(kinesis: Any, records: list[dict[str, Any]]) -> float:
    """Records/s of PutRecords then GetRecords of `records` through a fresh 2-shard stream."""
    from tests.support.kinesis_reader import raw_records

    name = f"bench-floor-{int(time.time())}"
    kinesis.create_stream(StreamName=name, ShardCount=2)
    kinesis.get_waiter("stream_exists").wait(StreamName=name)
    started = time.perf_counter()
    for start in range(0, len(records), PUT_LIMIT):
        kinesis.put_records(StreamName=name, Records=records[start : start + PUT_LIMIT])
    read = len(raw_records(kinesis, name))
    took = time.perf_counter() - started
    kinesis.delete_stream(StreamName=name)
    if read != len(records):
        raise RuntimeError(f"the floor stream gave back {read} of {len(records)} records")
    return len(records) / took


def measure(
    latency_files: int = 5, sustained_rows: int = 3_000, train: tuple[int, int] = (500, 30)
) -> list[Measurement]:
    """Latency p50/p95/p99 over `latency_files` 100-row files, sustained verdicts/s, the floor."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = upload_files(folder, [LATENCY_ROWS] * (1 + latency_files) + [sustained_rows])
        with running_stack(folder, train) as (clients, stack):
            upload_and_wait(clients, stack, *files[0])  # cold starts: measured in bench.cold_start
            latencies: list[float] = []
            for path, ids in files[1:-1]:
                uploaded, done = upload_and_wait(clients, stack, path, ids)
                latencies += [(done[i] - uploaded) * 1000 for i in ids]
            path, ids = files[-1]
            uploaded, done = upload_and_wait(clients, stack, path, ids)
            sustained = len(ids) / (max(done.values()) - uploaded)
            records = stream_records(clients["kinesis"], stack.stream, set(ids))
            floor = moto_floor(clients["kinesis"], records)
    floor_ms = 1000 / floor * LATENCY_ROWS  # moto's time to put and read back one 100-row file
    out = [
        Measurement(
            f"local stack upload→verdict p{q} ({LATENCY_ROWS}-row files)",
            float(np.percentile(latencies, q)),
            "ms",
            "moto put+get of 100 records",
            floor_ms,
        )
        for q in (50, 95, 99)
    ]
    out.append(
        Measurement(
            f"local stack sustained ({sustained_rows:,}-row file)",
            sustained,
            "verdicts/s",
            "moto PutRecords+GetRecords, same records",
            floor,
        )
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-files", type=int, default=5)
    parser.add_argument("--sustained-rows", type=int, default=3_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    measurements = measure(args.latency_files, args.sustained_rows)
    print(table(measurements))
    print(f"written: {write(measurements, args.out)}")


if __name__ == "__main__":
    main()
