"""The embedded AWS emulator: moto server on loopback, in a child process or in this one."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer

from cardwatch_local import moto_fixes
from cardwatch_local.emulator_error import EmulatorError
from cardwatch_local.settings import LocalSettings

LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "cardwatch", "AWS_SECRET_ACCESS_KEY": "cardwatch"}


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _in_use(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) == 0


def moto_server(host: str, port: int) -> ThreadedMotoServer:
    """A started moto server on `host:port`, with moto's costs fixed (`moto_fixes`)."""
    moto_fixes.apply_all()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return server


def _wait_until_serving(endpoint: str, child: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise EmulatorError(f"the emulator exited at start (code {child.returncode})")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.1)
    raise EmulatorError(f"the emulator did not answer at {endpoint} within {timeout_s:g} s")


@contextmanager
def embedded_aws(settings: LocalSettings, start_timeout_s: float = 60.0) -> Iterator[str]:
    """Start moto server (on the configured port, or a free one if 0) and point clients at it.

    The server runs in a child process: the emulated services and the local Lambda runtime
    each get a core instead of sharing one interpreter lock. The child ends with this context,
    and on its own if this process dies (its stdin pipe closes)."""
    port = settings.local_port or _free_port(settings.local_host)
    if _in_use(settings.local_host, port):
        raise EmulatorError(
            f"port {port} is in use; stop what runs there or set CARDWATCH_LOCAL_PORT=0"
        )
    command = [sys.executable, "-m", "cardwatch_local.emulator", settings.local_host, str(port)]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)  # noqa: S603
    endpoint = f"http://{settings.local_host}:{port}"
    previous = {k: os.environ.get(k) for k in (*LOCAL_CREDENTIALS, "CARDWATCH_AWS_ENDPOINT_URL")}
    try:
        _wait_until_serving(endpoint, child, start_timeout_s)
        os.environ.update(LOCAL_CREDENTIALS | {"CARDWATCH_AWS_ENDPOINT_URL": endpoint})
        yield endpoint
    finally:
        _stop(child)
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.stdin:
        child.stdin.close()
    try:
        child.wait(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def serve_until_stdin_closes(host: str, port: int) -> None:
    """The emulator process: moto server until the parent closes our stdin (or dies)."""
    server = moto_server(host, port)
    try:
        sys.stdin.buffer.read()
    finally:
        server.stop()


if __name__ == "__main__":
    serve_until_stdin_closes(sys.argv[1], int(sys.argv[2]))
