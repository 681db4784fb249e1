"""The saved Logs Insights queries (infra/sam/queries/*.query) evaluated over local log events.

moto parses almost none of the language, so the subset the saved queries use is evaluated here:
`fields`, `filter` (=, !=, <, <=, >, >=, `ispresent`, `and`, `or`), `stats` (count, sum, avg,
min, max; `by` fields and `bin(Nm|Nh)`), `sort` and `limit`, over the JSON fields of each line."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cardwatch_local.templates import INFRA_DIR

QUERIES_DIR = INFRA_DIR / "queries"
Row = dict[str, Any]


class QueryError(ValueError):
    """A query outside the supported subset; says which part."""


def saved_queries(folder: Path = QUERIES_DIR) -> dict[str, str]:
    """The saved queries by name."""
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.query"))}


def _flatten(value: Any, prefix: str, out: Row) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}{key}.", out)
    else:
        out[prefix[:-1]] = value


REPORT_FIELDS = {
    "Duration": "@duration",
    "Billed Duration": "@billedDuration",
    "Memory Size": "@memorySize",
    "Max Memory Used": "@maxMemoryUsed",
    "Init Duration": "@initDuration",
}


def _report_fields(message: str) -> Row:
    """The fields Logs Insights discovers in Lambda's REPORT line (@type, @duration, …)."""
    row: Row = {"@type": "REPORT"}
    for part in message.strip().split("\t"):
        name, _, value = part.partition(": ")
        if name == "REPORT RequestId":
            row["@requestId"] = value
        elif name in REPORT_FIELDS:
            row[REPORT_FIELDS[name]] = float(value.split()[0])
    return row


def event_row(event: dict[str, Any], group: str) -> Row:
    """One log event as Logs Insights sees it: @timestamp, @message, @log and the JSON fields
    (or, for Lambda's REPORT line, its discovered fields)."""
    row: Row = {"@timestamp": event["timestamp"], "@message": event["message"], "@log": group}
    if event["message"].startswith("REPORT RequestId: "):
        return row | _report_fields(event["message"])
    try:
        parsed = json.loads(event["message"])
    except ValueError:
        return row
    if isinstance(parsed, dict):
        _flatten(parsed, "", row)
    return row


_COMPARISON = re.compile(r"^\s*([@\w.]+)\s*(=|!=|<=|>=|<|>)\s*(.+?)\s*$")
_PRESENT = re.compile(r"^\s*ispresent\(([@\w.]+)\)\s*$")


def _literal(text: str) -> Any:
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    try:
        return float(text)
    except ValueError:
        raise QueryError(f"unsupported value: {text}") from None


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None:
        return op == "!="
    if isinstance(right, float):
        try:
            left = float(left)
        except (TypeError, ValueError):
            return False
    checks: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, b: bool(a == b),
        "!=": lambda a, b: bool(a != b),
        "<": lambda a, b: bool(a < b),
        "<=": lambda a, b: bool(a <= b),
        ">": lambda a, b: bool(a > b),
        ">=": lambda a, b: bool(a >= b),
    }
    return checks[op](left, right)


def _term(text: str) -> Callable[[Row], bool]:
    present = _PRESENT.match(text)
    if present:
        name = present.group(1)
        return lambda row: row.get(name) is not None
    found = _COMPARISON.match(text)
    if found is None:
        raise QueryError(f"unsupported filter: {text}")
    name, op, value = found.group(1), found.group(2), _literal(found.group(3))
    return lambda row: _compare(op, row.get(name), value)


def _condition(text: str) -> Callable[[Row], bool]:
    alternatives = [
        [_term(t) for t in re.split(r"\s+and\s+", part)] for part in re.split(r"\s+or\s+", text)
    ]
    return lambda row: any(all(t(row) for t in terms) for terms in alternatives)


_AGG = re.compile(r"^(count|sum|avg|min|max)\(([@\w.*]*)\)(?:\s+as\s+(\w+))?$")
_BIN = re.compile(r"^bin\((\d+)([mh])\)$")


@dataclass
class _Stats:
    aggregates: list[tuple[str, str, str]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def key(self, row: Row) -> tuple[Any, ...]:
        values: list[Any] = []
        for group in self.groups:
            binned = _BIN.match(group)
            if binned:
                size = int(binned.group(1)) * (60_000 if binned.group(2) == "m" else 3_600_000)
                values.append(int(row["@timestamp"]) // size * size)
            else:
                values.append(row.get(group))
        return tuple(values)

    def apply(self, rows: list[Row]) -> list[Row]:
        buckets: dict[tuple[Any, ...], list[Row]] = {}
        for row in rows:
            buckets.setdefault(self.key(row), []).append(row)
        out = []
        for key, members in buckets.items():
            result: Row = {}
            for group, value in zip(self.groups, key, strict=True):
                result["@timestamp" if group.startswith("bin(") else group] = value
            for function, name, alias in self.aggregates:
                result[alias] = _aggregate(function, name, members)
            out.append(result)
        return out


def _aggregate(function: str, name: str, rows: list[Row]) -> float:
    if function == "count":
        return float(len(rows) if name in {"", "*"} else sum(1 for r in rows if name in r))
    values = [float(r[name]) for r in rows if isinstance(r.get(name), int | float)]
    if not values:
        return 0.0
    reducers: dict[str, Callable[[list[float]], float]] = {
        "sum": sum,
        "avg": lambda v: sum(v) / len(v),
        "min": min,
        "max": max,
    }
    return reducers[function](values)


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()] if current.strip() else parts


def _stats(text: str) -> _Stats:
    head, _, by = text.partition(" by ")
    stats = _Stats(groups=_split_top(by) if by else [])
    for part in _split_top(head):
        found = _AGG.match(part)
        if found is None:
            raise QueryError(f"unsupported aggregate: {part}")
        function, name = found.group(1), found.group(2)
        stats.aggregates.append((function, name, found.group(3) or f"{function}({name})"))
    return stats


def run_query(query: str, rows: list[Row]) -> list[Row]:
    """Evaluate `query` over `rows` (from `event_row`)."""
    shown: list[str] | None = None
    for raw in query.split("|"):
        command, _, rest = raw.strip().partition(" ")
        rest = " ".join(rest.split())
        if command == "fields":
            shown = _split_top(rest)
        elif command == "filter":
            keep = _condition(rest)
            rows = [r for r in rows if keep(r)]
        elif command == "stats":
            stats = _stats(rest)
            rows = stats.apply(rows)
            shown = [g if not g.startswith("bin(") else "@timestamp" for g in stats.groups]
            shown += [alias for _, _, alias in stats.aggregates]
        elif command == "sort":
            name, _, order = rest.partition(" ")
            rows = sorted(rows, key=lambda r: r.get(name) or 0, reverse=order == "desc")
        elif command == "limit":
            rows = rows[: int(rest)]
        elif command:
            raise QueryError(f"unsupported command: {command}")
    if shown is None:
        return rows
    return [{name: row.get(name) for name in shown} for row in rows]
