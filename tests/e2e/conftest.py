"""`cardwatch local up` in its own process, on a free port, with a private state folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def local_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[subprocess.Popen[str]]:
    """The process of `cardwatch local up --no-model`; killed after the test if still running."""
    monkeypatch.setenv("CARDWATCH_LOCAL_PORT", "0")
    monkeypatch.setenv("CARDWATCH_LOCAL_STATE_DIR", str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "-m", "cardwatch_local.cli", "local", "up", "--no-model"],
        env={**os.environ, "COLUMNS": "200"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()
