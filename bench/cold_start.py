"""Cold start and memory: a fresh interpreter that imports each handler module (wall time, as
Lambda's init pays it), the scorer's import + model load, and the scorer's peak RSS after both;
beside a bare interpreter that imports nothing. Run: `uv run python -m bench.cold_start`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.peak_rss import PEAK_RSS
from bench.results_table import Measurement, table, write

HANDLERS = {
    "ingest": "cardwatch_ingest.handler",
    "scorer": "cardwatch_scorer.handler",
    "notifier": "cardwatch_notifier.handler",
}
REPEATS = 3
# Set in every Lambda execution environment; the scorer pauses the collector during init there.
LAMBDA_ENVIRONMENT = {"AWS_LAMBDA_FUNCTION_NAME": "cardwatch-cold-start-bench"}

# Each child leaves with os._exit once it is ready: Lambda's init ends when the handler can run,
# and an interpreter's own teardown of a few hundred modules (0.4 s here) is no part of it.
IMPORT_CODE = """
import {module}
import json, os, sys
print(json.dumps({{"rss_kib": PEAK}}), flush=True)
os._exit(0)
""".replace("PEAK", PEAK_RSS)

MODEL_CODE = """
import cardwatch_scorer.handler
import json, os, sys
from pathlib import Path
from cardwatch_scorer.model_cache import load_bundle
from cardwatch_shared.model_manifest import ModelManifest
folder = Path(sys.argv[1])
manifest = ModelManifest.model_validate_json((folder / "manifest.json").read_text())
load_bundle((folder / "model.skops").read_bytes(), manifest)
print(json.dumps({"rss_kib": PEAK}), flush=True)
os._exit(0)
""".replace("PEAK", PEAK_RSS)


def _run(code: str, *args: str) -> dict[str, float]:
    """Wall time of a fresh interpreter running `code`, and the peak RSS it reports."""
    started = time.perf_counter()
    reply = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | LAMBDA_ENVIRONMENT,
    )
    took = time.perf_counter() - started
    result: dict[str, float] = json.loads(reply.stdout.strip().splitlines()[-1])
    return result | {"wall_s": took}


def _best(code: str, *args: str, repeats: int = REPEATS) -> dict[str, float]:
    """The fastest of a few runs (the least disturbed by the rest of the machine)."""
    runs = [_run(code, *args) for _ in range(repeats)]
    return min(runs, key=lambda r: r["wall_s"])


def _bundle_folder(folder: Path, cards: int) -> None:
    from cardwatch_ml.bundle import build_bundle
    from cardwatch_ml.datasets import fingerprint, from_simulation
    from cardwatch_ml.simulator import SimulationConfig, simulate
    from cardwatch_ml.training import TrainConfig, train

    sim = simulate(SimulationConfig(cards=cards, terminals=2 * cards, days=30, seed=1))
    tx = from_simulation(sim)
    model = train(tx, TrainConfig(candidates=("hist_gradient_boosting",), with_labels=False))
    bundle = build_bundle(model, fingerprint(tx), version="bench")
    (folder / "model.skops").write_bytes(bundle.model_bytes)
    (folder / "manifest.json").write_text(bundle.manifest.model_dump_json())


def measure(repeats: int = REPEATS, cards: int = 400) -> list[Measurement]:
    """Import time per handler, scorer model load and peak RSS, each beside the bare floor
    (the best of `repeats` fresh interpreters; the model trained on `cards` simulated cards)."""
    floor = _best(IMPORT_CODE.format(module="sys"), repeats=repeats)
    out = [
        Measurement(
            f"{service} init (interpreter + handler import)",
            _best(IMPORT_CODE.format(module=module), repeats=repeats)["wall_s"] * 1000,
            "ms",
            "bare interpreter",
            floor["wall_s"] * 1000,
        )
        for service, module in HANDLERS.items()
    ]
    with tempfile.TemporaryDirectory() as tmp:
        _bundle_folder(Path(tmp), cards)
        scorer = _best(MODEL_CODE, tmp, repeats=repeats)
    out.append(
        Measurement(
            "scorer init + model load",
            scorer["wall_s"] * 1000,
            "ms",
            "bare interpreter",
            floor["wall_s"] * 1000,
        )
    )
    out.append(
        Measurement(
            "scorer peak RSS (imported, model loaded)",
            scorer["rss_kib"] / 1024,
            "MiB",
            "bare interpreter",
            floor["rss_kib"] / 1024,
        )
    )
    return out


def main() -> None:
    measurements = measure()
    print(table(measurements))
    print(f"written: {write(measurements, None)}")


if __name__ == "__main__":
    main()
