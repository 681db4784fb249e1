"""Reads taken while another thread keeps writing: for races between a reader and a writer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def reads_while_writing(
    write_once: Callable[[], None], read: Callable[[], T], reads: int
) -> list[T]:
    """`reads` results of `read`, each taken while another thread calls `write_once` in a loop."""
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            write_once()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        return [read() for _ in range(reads)]
    finally:
        stop.set()
        writer.join()
