"""A command that talks to a stack which is not running says so in one line, with how to start
it, and exits 1: the CLI's entry point tells it for every such command, not a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.support.cli_process import run_cli

pytestmark = pytest.mark.integration


def _free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "command",
    [["rules", "list"], ["label", "tx-1", "fraud"], ["model", "list"]],
)
def test_a_command_without_a_stack_says_how_to_start_one(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARDWATCH_AWS_ENDPOINT_URL", f"http://127.0.0.1:{_free_port()}")
    monkeypatch.setenv("CARDWATCH_LOCAL_STATE_DIR", str(tmp_path))
    run = run_cli(*command)
    assert run.returncode == 1
    [line] = run.stdout.strip().splitlines()
    assert "stack at http://127.0.0.1:" in line
    assert line.endswith("start it with `cardwatch local up` (or `make demo`)")
    assert "Traceback" not in run.stdout + run.stderr


def test_aws_without_credentials_says_how_to_give_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aws
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata lookup
    monkeypatch.delenv("CARDWATCH_AWS_ENDPOINT_URL", raising=False)
    run = run_cli("model", "list", "--bucket", "cardwatch-models-nowhere")
    assert run.returncode == 1
    [line] = run.stdout.strip().splitlines()
    assert line.startswith("no AWS credentials found: set AWS_PROFILE")
    assert "Traceback" not in run.stdout + run.stderr
