"""The zip functions build the way `sam build` builds them (BuildMethod: makefile, the service's
Makefile) into a folder that holds only what the function needs, and the handler the template
names imports from that folder alone, without the workspace's site-packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
NEVER_IN_A_ZIP = {"pandas", "numpy", "sklearn", "polars", "textual", "moto", "cardwatch_ml"}
MAKE = shutil.which("make") or "make"
CLEAN_ENV = {
    "PATH": os.environ.get("PATH", ""),
    "POWERTOOLS_TRACE_DISABLED": "true",
    "AWS_DEFAULT_REGION": "us-east-1",
}
IMPORT_ALONE = """
import importlib, sys
sys.path.insert(0, sys.argv[1])
module, _, name = sys.argv[2].rpartition(".")
handler = getattr(importlib.import_module(module), name)
assert callable(handler)
leaked = [m.__file__ for m in list(sys.modules.values())
          if getattr(m, "__file__", None) and "site-packages" in m.__file__]
assert not leaked, leaked[:3]
print("ok")
"""


@pytest.mark.parametrize(
    ("service", "target", "handlers"),
    [
        (
            "ingest",
            "build-LabelsFunction",
            [
                "cardwatch_ingest.handler.lambda_handler",
                "cardwatch_ingest.labels_handler.lambda_handler",
            ],
        ),
        (
            "notifier",
            "build-DigestFunction",
            [
                "cardwatch_notifier.handler.lambda_handler",
                "cardwatch_notifier.handler.digest_handler",
            ],
        ),
    ],
)
def test_zip_builds_lean_and_its_handlers_import_alone(
    service: str, target: str, handlers: list[str], tmp_path: Path
) -> None:
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    subprocess.run(  # noqa: S603 - our own Makefile
        [
            MAKE,
            "-s",
            "-C",
            str(ROOT / "services" / service),
            target,
            f"ARTIFACTS_DIR={artifacts}",
            f"LAMBDA_PYTHON={python}",
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "VIRTUAL_ENV": ""},
    )
    top_level = {p.name for p in artifacts.iterdir()}
    assert {"cardwatch_shared", f"cardwatch_{service}", "aws_lambda_powertools"} <= top_level
    assert not top_level & NEVER_IN_A_ZIP
    ours = {"cardwatch_shared", f"cardwatch_{service}"}
    assert not any(name.startswith("cardwatch_") for name in top_level - ours)
    size = sum(p.stat().st_size for p in artifacts.rglob("*") if p.is_file())
    assert size < LAMBDA_UNZIPPED_LIMIT
    tag = sys.implementation.cache_tag  # compiled by the runtime's version, read at cold start
    for module in (f"cardwatch_{service}/handler", "aws_lambda_powertools/__init__"):
        folder, name = module.split("/")
        assert (artifacts / folder / "__pycache__" / f"{name}.{tag}.pyc").exists(), module
    for handler in handlers:
        run = subprocess.run(  # noqa: S603
            [sys.executable, "-S", "-c", IMPORT_ALONE, str(artifacts), handler],
            capture_output=True,
            text=True,
            env=CLEAN_ENV,
            check=False,
        )
        assert run.returncode == 0, run.stderr[-2000:]
        assert run.stdout.strip() == "ok"
