"""The `cardwatch` console script's entry point run in its own process, as a user runs it: what
its `main()` turns into one line and an exit code is seen as they would see it."""

from __future__ import annotations

import subprocess
import sys


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`cardwatch ARGS` in a child process (the test's environment), its output captured."""
    return subprocess.run(  # noqa: S603 - our own entry point, with the test's arguments
        [sys.executable, "-m", "cardwatch_local.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
