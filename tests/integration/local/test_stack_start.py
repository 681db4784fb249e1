"""An embedded emulator that cannot start says why at once, whichever command started it: the
CLI names the taken port in one line and exits 1, and the demo that started `local up` stops
waiting when it ends and gives that reason."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from cardwatch_local import running_demo
from cardwatch_local.running_demo import DemoError, ensure_stack
from cardwatch_local.settings import LocalSettings
from tests.support.cli_process import run_cli

pytestmark = pytest.mark.integration


@pytest.fixture
def taken_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A port something else listens on, set as the stack's; the stack's state in `tmp_path`."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = int(sock.getsockname()[1])
        monkeypatch.setenv("CARDWATCH_LOCAL_PORT", str(port))
        monkeypatch.setenv("CARDWATCH_LOCAL_STATE_DIR", str(tmp_path))
        monkeypatch.setenv("COLUMNS", "80")
        yield port


@pytest.mark.parametrize(
    "command", [["local", "up", "--no-model"], ["chaos", "--transactions", "50"]]
)
def test_the_cli_names_the_taken_port_and_fails(taken_port: int, command: list[str]) -> None:
    run = run_cli(*command)
    assert run.returncode == 1
    reason = f"the local stack could not start: port {taken_port} is in use"
    assert run.stdout.strip().splitlines()[-1].startswith(reason)
    assert "Traceback" not in run.stdout + run.stderr


def test_the_demo_stops_waiting_when_local_up_fails_and_says_why(
    taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(running_demo, "START_TIMEOUT_S", 60.0)  # a hang fails in a minute, not 5
    with pytest.raises(DemoError) as failed:
        ensure_stack(LocalSettings(), Console(file=io.StringIO()))
    reason = str(failed.value)
    assert reason.startswith(f"the local stack could not start: port {taken_port} is in use")
    assert "`cardwatch local up` exited, code 1" in reason
