"""Result records and the markdown table every benchmark prints and writes."""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
LIBRARIES = ("pydantic", "pydantic-core", "aws-lambda-powertools", "boto3", "numpy", "pandas",
             "scikit-learn", "polars", "moto")  # fmt: skip


@dataclass(frozen=True)
class Measurement:
    """One figure beside its reference, measured in the same run."""

    name: str
    value: float
    unit: str
    reference_name: str
    reference_value: float

    @property
    def ratio(self) -> float:
        """value / reference (for a rate: how many times the reference's speed)."""
        return self.value / self.reference_value if self.reference_value else float("nan")


def machine() -> dict[str, object]:
    """CPU, cores, Python and library versions: attached to every result file."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = {}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            continue
    return {"cpu": cpu, "cores": os.cpu_count(), "python": sys.version.split()[0],
            "platform": platform.platform(), "libraries": versions}  # fmt: skip


def _number(value: float) -> str:
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3f}"


def table(measurements: list[Measurement]) -> str:
    """Markdown table of the measurements."""
    lines = ["| name | value | unit | reference | reference value | ratio |",
             "|---|---:|---|---|---:|---:|"]  # fmt: skip
    for m in measurements:
        lines.append(
            f"| {m.name} | {_number(m.value)} | {m.unit} | {m.reference_name} | "
            f"{_number(m.reference_value)} | {m.ratio:.2f} |"
        )
    return "\n".join(lines)


def write(measurements: list[Measurement], out: Path | None = None) -> Path:
    """Write `bench/results/<timestamp>.json` (or `out`) and the markdown table beside it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out or RESULTS_DIR / f"{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"machine": machine(), "created": stamp,
            "measurements": [asdict(m) | {"ratio": m.ratio} for m in measurements]}  # fmt: skip
    path.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(table(measurements) + "\n", encoding="utf-8")
    return path
