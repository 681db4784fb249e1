"""A Powertools logger's JSON lines, taken as the service writes them (its formatter included)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools import Logger


@contextmanager
def log_lines(logger: Logger) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Inside the block, `logger` writes to memory; the function yielded returns the lines
    written since its last call."""
    written = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    before = handler.setStream(written)

    def taken() -> list[dict[str, Any]]:
        text = written.getvalue()
        written.seek(0)
        written.truncate()
        return [json.loads(line) for line in text.splitlines()]

    try:
        yield taken
    finally:
        handler.setStream(before)
