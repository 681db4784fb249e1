"""Turns a pydantic ValidationError into (column, reason) pairs a person can read.

Inputs are never included: a bad card number must not be echoed into a rejects file or a log.
"""

from __future__ import annotations

from pydantic import ValidationError

_PREFIXES = ("Value error, ", "Assertion failed, ")


def field_errors(exc: ValidationError) -> list[tuple[str | None, str]]:
    """One (column or None, reason) per error, in the model's field order."""
    pairs: list[tuple[str | None, str]] = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        column = str(error["loc"][0]) if error["loc"] else None
        reason = error["msg"]
        for prefix in _PREFIXES:
            reason = reason.removeprefix(prefix)
        pairs.append((column, reason))
    return pairs
