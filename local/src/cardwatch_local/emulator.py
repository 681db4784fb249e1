"""The embedded AWS emulator: moto server on loopback, in this process."""

from __future__ import annotations

import logging
import os
import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from moto.server import ThreadedMotoServer

from cardwatch_local.settings import LocalSettings

LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "cardwatch", "AWS_SECRET_ACCESS_KEY": "cardwatch"}


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _in_use(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) == 0


@contextmanager
def embedded_aws(settings: LocalSettings) -> Iterator[str]:
    """Start moto server (on the configured port, or a free one if 0) and point clients at it."""
    port = settings.local_port or _free_port(settings.local_host)
    if _in_use(settings.local_host, port):
        raise RuntimeError(
            f"port {port} is in use; stop what runs there or set CARDWATCH_LOCAL_PORT=0"
        )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address=settings.local_host, port=port, verbose=False)
    server.start()
    endpoint = f"http://{settings.local_host}:{port}"
    # moto's backends are global to the process: a second emulator in it would see the first
    # one's resources, so each starts from empty.
    reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(reset, timeout=10):  # noqa: S310 - our own loopback http
        pass
    previous = {k: os.environ.get(k) for k in (*LOCAL_CREDENTIALS, "CARDWATCH_AWS_ENDPOINT_URL")}
    os.environ.update(LOCAL_CREDENTIALS | {"CARDWATCH_AWS_ENDPOINT_URL": endpoint})
    try:
        yield endpoint
    finally:
        server.stop()
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
