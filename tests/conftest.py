"""Fixtures shared by every test kind: test card numbers, an HMAC key, and moto server."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
import requests

from cardwatch_local.emulator import moto_server as start_moto

os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "cardwatch-tests")
for _name, _value in (
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_DEFAULT_REGION", "us-east-1"),
):
    os.environ.setdefault(_name, _value)


@pytest.fixture
def hmac_key() -> bytes:
    """A test-only 256-bit key."""
    return bytes(range(32))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """moto server on loopback for the whole session; yields its endpoint URL."""
    port = _free_port()
    server = start_moto("127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_endpoint(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A clean moto (reset before the test) and CARDWATCH_AWS_ENDPOINT_URL pointing at it."""
    requests.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()
    monkeypatch.setenv("CARDWATCH_AWS_ENDPOINT_URL", moto_server)
    from cardwatch_shared import aws_clients

    aws_clients.client.cache_clear()
    yield moto_server
    aws_clients.client.cache_clear()
