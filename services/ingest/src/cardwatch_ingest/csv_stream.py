"""Streams an upload as text: bounded memory whatever its size, gzip with an inflation limit."""

from __future__ import annotations

import codecs
import gzip
import io
import zlib
from collections.abc import Callable
from typing import BinaryIO

from cardwatch_ingest.file_checks import FileRejectedError

CHUNK = 1024 * 1024
OpenBytes = Callable[[], BinaryIO]


class _LimitedReader(io.RawIOBase):
    """Raises FileRejectedError once more than `limit` bytes were read (a gzip bomb, say)."""

    def __init__(self, inner: BinaryIO, limit: int) -> None:
        self._inner, self._limit, self._read = inner, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        self._read += len(data)
        if self._read > self._limit:
            raise FileRejectedError(f"file inflates to more than {self._limit} bytes")
        buffer[: len(data)] = data
        return len(data)


def open_binary(open_bytes: OpenBytes, gzipped: bool, inflate_limit: int) -> BinaryIO:
    """The upload's bytes, inflated when gzipped, never more than `inflate_limit`."""
    raw = open_bytes()
    if not gzipped:
        return raw
    inflated = gzip.GzipFile(fileobj=raw, mode="rb")
    return io.BufferedReader(_LimitedReader(inflated, inflate_limit), CHUNK)  # type: ignore[arg-type]


def check_utf8(open_bytes: OpenBytes, gzipped: bool, inflate_limit: int) -> None:
    """One streaming pass that refuses a file that is not UTF-8 (or not gzip) before any row."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    offset = 0
    try:
        with open_binary(open_bytes, gzipped, inflate_limit) as stream:
            while chunk := stream.read(CHUNK):
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise FileRejectedError(
            f"file is not UTF-8 (invalid byte at offset {offset + exc.start})"
        ) from None
    except (gzip.BadGzipFile, EOFError, zlib.error):
        raise FileRejectedError("file ends in .gz but is not a valid gzip stream") from None


def open_text(open_bytes: OpenBytes, gzipped: bool, inflate_limit: int) -> io.TextIOWrapper:
    """The upload as text for the csv module (BOM dropped, newlines left to csv)."""
    stream = open_binary(open_bytes, gzipped, inflate_limit)
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
