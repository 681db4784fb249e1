"""A local stack that cannot start says why at once: `local up` names the taken port, and the
demo that started it stops waiting when it ends and gives that reason."""

from __future__ import annotations

import io
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cardwatch_local import running_demo
from cardwatch_local.cli import app
from cardwatch_local.running_demo import DemoError, ensure_stack
from cardwatch_local.settings import LocalSettings

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
        yield port


@pytest.fixture
def signal_handlers() -> Iterator[None]:
    """`local up` takes SIGINT and SIGTERM for itself: give them back."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.mark.usefixtures("signal_handlers")
def test_local_up_names_the_taken_port_and_fails(taken_port: int) -> None:
    result = CliRunner().invoke(app, ["local", "up", "--no-model"], env={"COLUMNS": "80"})
    assert result.exit_code == 1
    assert f"the local stack could not start: port {taken_port} is in use" in result.output
    assert "Traceback" not in result.output


def test_the_demo_stops_waiting_when_local_up_fails_and_says_why(
    taken_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(running_demo, "START_TIMEOUT_S", 60.0)  # a hang fails in a minute, not 5
    with pytest.raises(DemoError) as failed:
        ensure_stack(LocalSettings(), Console(file=io.StringIO()))
    reason = str(failed.value)
    assert reason.startswith(f"the local stack could not start: port {taken_port} is in use")
    assert "`cardwatch local up` exited, code 1" in reason
