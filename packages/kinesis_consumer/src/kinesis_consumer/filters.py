"""Lambda event filtering (FilterCriteria): EventBridge-style patterns over a record.

Supported: nested objects, lists of allowed values, `{"exists": bool}`, `{"prefix": str}`,
`{"anything-but": [..]}`, and `{"numeric": [op, value, ...]}`. A record passes when any filter
pattern matches it; with no filters every record passes.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from typing import Any

_MISSING = object()
_NUMERIC: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}  # fmt: skip


def _match_rule(rule: Any, value: Any) -> bool:  # noqa: PLR0911 - one return per operator
    if isinstance(rule, dict):
        if "exists" in rule:
            return (value is not _MISSING) == bool(rule["exists"])
        if value is _MISSING:
            return False
        if "prefix" in rule:
            return isinstance(value, str) and value.startswith(rule["prefix"])
        if "anything-but" in rule:
            banned = rule["anything-but"]
            return value not in (banned if isinstance(banned, list) else [banned])
        if "numeric" in rule:
            terms = rule["numeric"]
            pairs = zip(terms[::2], terms[1::2], strict=True)
            return isinstance(value, int | float) and all(_NUMERIC[op](value, n) for op, n in pairs)
        return False
    return value is not _MISSING and value == rule


def matches(pattern: dict[str, Any], record: Any) -> bool:
    """True when `record` matches `pattern` (every key; any allowed value per leaf list)."""
    for key, rule in pattern.items():
        value = record.get(key, _MISSING) if isinstance(record, dict) else _MISSING
        if isinstance(rule, dict) and not set(rule) & {
            "exists",
            "prefix",
            "anything-but",
            "numeric",
        }:
            if not matches(rule, value if isinstance(value, dict) else {}):
                return False
            continue
        rules = rule if isinstance(rule, list) else [rule]
        values = value if isinstance(value, list) else [value]
        if not any(_match_rule(r, v) for r in rules for v in values):
            return False
    return True


def passes(filters: list[dict[str, Any] | str], record: dict[str, Any]) -> bool:
    """Lambda's rule: no filters, or at least one pattern matches."""
    if not filters:
        return True
    patterns = [json.loads(f) if isinstance(f, str) else f for f in filters]
    return any(matches(p, record) for p in patterns)
