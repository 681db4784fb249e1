"""The embedded AWS emulator: moto server on loopback, in this process."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.server import ThreadedMotoServer

from cardwatch_local.settings import LocalSettings

LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "cardwatch", "AWS_SECRET_ACCESS_KEY": "cardwatch"}
ORIGINAL_SHARD_METHODS: dict[str, Callable[..., Any]] = {}  # moto's own, kept for the parity test


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _in_use(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) == 0


def remember_backends() -> None:
    """Make moto server's per-request routing a dictionary lookup.

    For every request, moto's dispatcher lists its own package folder (a `stat` per service) and
    tries its URL patterns, all under one lock: with a few dozen concurrent clients the lock,
    not the emulated services, sets the pace. A host's backend never changes, so it is
    remembered after the first request (idempotent; moto's results are unchanged)."""
    from moto import backends
    from moto.moto_server import werkzeug_app

    dispatcher: Any = werkzeug_app.DomainDispatcherApplication
    if getattr(dispatcher, "cardwatch_remembers", False):
        return
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    find: Callable[[Any, str | None], Any] = dispatcher.get_backend_for_host
    known: dict[str | None, Any] = {}

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        if host not in known:
            known[host] = find(self, host)
        return known[host]

    dispatcher.get_backend_for_host = get_backend_for_host
    dispatcher.cardwatch_remembers = True


def lean_transactions() -> None:
    """Make moto's DynamoDB TransactWriteItems cost what the transaction touches.

    moto backs up every table a transaction names with a deep copy (its stream records
    included) and records every model instance it ever creates (for its reset API, which resets
    backends without them): each transaction kept a full copy of the labels, verdicts and
    state tables alive, gigabytes after a few hundred labels. The emulator stops the
    recording and lets a table's backup share the live stream (a rolled-back transaction may
    leave stream records of its writes; nothing in cardwatch reads them). Idempotent."""
    from moto.core.common_models import BaseModel
    from moto.dynamodb.models.table import StreamShard

    if getattr(BaseModel, "cardwatch_untracked", False):
        return

    def untracked(cls: type, *_args: Any, **_kwargs: Any) -> Any:
        return object.__new__(cls)

    def shared(shard: Any, _memo: Any) -> Any:
        return shard

    BaseModel.__new__ = staticmethod(untracked)  # type: ignore[method-assign]
    BaseModel.cardwatch_untracked = True  # type: ignore[attr-defined]
    StreamShard.__deepcopy__ = shared  # type: ignore[attr-defined]


def constant_time_shards() -> None:
    """Make a Kinesis shard's put and read cost what they touch, not the shard's length.

    moto finds a shard's last sequence number by listing all its records, on every put, and a
    GetRecords walks the shard from its first record: both quadratic over a run, so that a
    100,000-record upload spent 94% of the emulator's time listing keys. A shard's sequence
    numbers are consecutive integers from 1, so the last is the dictionary's last key and a read
    starts at a key lookup. Results are unchanged (a test runs both against random shards)."""
    from moto.kinesis.models import Shard

    if getattr(Shard, "cardwatch_constant_time", False):
        return

    def last_key(shard: Any) -> int:
        return next(reversed(shard.records)) if shard.records else 0

    def first_key(shard: Any) -> int:
        return next(iter(shard.records)) if shard.records else 0

    original_get_records = Shard.get_records
    ORIGINAL_SHARD_METHODS.update(
        max=Shard.get_max_sequence_number,
        min=Shard.get_min_sequence_number,
        get_records=original_get_records,
    )

    def get_records(
        shard: Any, last_sequence_id: str, limit: int | None
    ) -> tuple[list[Any], int, int]:
        records = shard.records
        start, last = int(last_sequence_id), last_key(shard)
        consecutive = bool(records) and first_key(shard) == 1 and last == len(records)
        if not consecutive or start < 0 or (limit is not None and limit < 1):
            return original_get_records(shard, last_sequence_id, limit)
        if start >= last:
            return [], start, 0
        stop = last if limit is None else min(last, start + limit)
        results = [records[n] for n in range(start + 1, stop + 1)]
        behind = records[last].created_at - results[-1].created_at
        return results, results[-1].sequence_number, int(behind * 1000)

    Shard.get_max_sequence_number = last_key  # type: ignore[method-assign,assignment]
    Shard.get_min_sequence_number = first_key  # type: ignore[method-assign,assignment]
    Shard.get_records = get_records  # type: ignore[method-assign,assignment]
    Shard.cardwatch_constant_time = True  # type: ignore[attr-defined]


def moto_server(host: str, port: int) -> ThreadedMotoServer:
    """A started moto server on `host:port`, with the fixes above."""
    remember_backends()
    lean_transactions()
    constant_time_shards()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return server


def _wait_until_serving(endpoint: str, child: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"the emulator exited at start (code {child.returncode})")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the emulator did not answer at {endpoint} within {timeout_s:g} s")


@contextmanager
def embedded_aws(settings: LocalSettings, start_timeout_s: float = 60.0) -> Iterator[str]:
    """Start moto server (on the configured port, or a free one if 0) and point clients at it.

    The server runs in a child process: the emulated services and the local Lambda runtime
    each get a core instead of sharing one interpreter lock. The child ends with this context,
    and on its own if this process dies (its stdin pipe closes)."""
    port = settings.local_port or _free_port(settings.local_host)
    if _in_use(settings.local_host, port):
        raise RuntimeError(
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
