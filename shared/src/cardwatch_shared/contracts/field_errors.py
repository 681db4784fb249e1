"""Turns a pydantic ValidationError into (column, reason) pairs a person can read.

A reason names the column and the rule, in the words of the upload format ("mcc must be 4
digits"), not pydantic's ("String should match pattern '^\\d{4}$'"). Inputs are never included:
a bad card number must not be echoed into a rejects file or a log. Only the rule's own limits
(a bound, a length, the values allowed) are read from the error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

_PREFIXES = ("Value error, ", "Assertion failed, ")

# The formats the contracts' patterns stand for, as the upload format's and the rules' docs say
# them.
PATTERN_FORMATS: Mapping[str, str] = {
    r"^[A-Z]{3}$": "a 3-letter code in capitals (ISO 4217), e.g. EUR",
    r"^[A-Z]{2}$": "a 2-letter code in capitals (ISO 3166-1), e.g. FR",
    r"^\d{4}$": "4 digits",
    r"^[A-Za-z0-9._:-]+$": "made of letters, digits and . _ : - only",
    r"^[a-z][a-z0-9_]{0,47}$": "a lower-case letter, then lower-case letters, digits or _ "
    "(at most 48 in all), e.g. high_velocity",
}
_TIME_EXAMPLE = "e.g. 2026-11-20T09:15:00+01:00"


def _number(bound: object) -> object:
    """A bound as the format writes it: 90, not 90.0."""
    return int(bound) if isinstance(bound, float) and bound.is_integer() else bound


_Reason = Callable[[str, Mapping[str, Any]], str]


def _not_a_time(col: str, _: Mapping[str, Any]) -> str:
    return f"{col} is not an ISO 8601 date and time, {_TIME_EXAMPLE}"


def _not_a_number(col: str, _: Mapping[str, Any]) -> str:
    return f"{col} is not a number"


def _not_allowed(col: str, ctx: Mapping[str, Any]) -> str:
    return f"{col} must be {ctx.get('expected')}"


_BY_TYPE: Mapping[str, _Reason] = {
    "missing": lambda col, _: f"{col} is missing",
    "timezone_aware": lambda col, _: f"{col} needs a UTC offset, {_TIME_EXAMPLE}",
    "datetime_parsing": _not_a_time,
    "datetime_from_date_parsing": _not_a_time,
    "string_pattern_mismatch": lambda col, ctx: (
        f"{col} must be {PATTERN_FORMATS[ctx['pattern']]}"
        if ctx.get("pattern") in PATTERN_FORMATS
        else f"{col} does not have the expected format"
    ),
    "string_too_short": lambda col, ctx: (
        f"{col} is empty"
        if ctx.get("min_length") == 1
        else f"{col} must have at least {ctx.get('min_length')} characters"
    ),
    "string_too_long": lambda col, ctx: (
        f"{col} must have at most {ctx.get('max_length')} characters"
    ),
    "enum": _not_allowed,
    "literal_error": _not_allowed,
    "greater_than_equal": lambda col, ctx: f"{col} must be at least {_number(ctx.get('ge'))}",
    "less_than_equal": lambda col, ctx: f"{col} must be at most {_number(ctx.get('le'))}",
    "greater_than": lambda col, ctx: f"{col} must be more than {_number(ctx.get('gt'))}",
    "less_than": lambda col, ctx: f"{col} must be less than {_number(ctx.get('lt'))}",
    "float_parsing": _not_a_number,
    "int_parsing": lambda col, _: f"{col} is not a whole number",
    "decimal_parsing": _not_a_number,
}


def field_errors(exc: ValidationError) -> list[tuple[str | None, str]]:
    """One (column or None, reason) per error, in the model's field order."""
    pairs: list[tuple[str | None, str]] = []
    for error in exc.errors(include_input=False, include_url=False):
        column = str(error["loc"][0]) if error["loc"] else None
        pairs.append((column, reason_of(error, column)))
    return pairs


def reason_of(error: ErrorDetails, column: str | None) -> str:
    """The reason for one error: in the format's words where its kind is known, else pydantic's
    message without its "Value error, " prefix (the contracts' own messages are written so)."""
    plain = _BY_TYPE.get(error["type"])
    if plain is not None and column is not None:
        return plain(column, error.get("ctx", {}))
    reason = error["msg"]
    for prefix in _PREFIXES:
        reason = reason.removeprefix(prefix)
    return reason
