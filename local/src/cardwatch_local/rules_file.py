"""A rule-set file (YAML or JSON) → a validated `RuleSet`, or every problem with its line.

JSON is read by the same YAML parser, so both report lines the same way; the messages never echo
the offending value (a list entry could hold what a user mistook for a card token).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cardwatch_shared.contracts.rule_set import RuleSet
from cardwatch_shared.rule_registry import describe_errors

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One reason a rule-set file is refused."""

    line: int
    where: str
    reason: str

    def __str__(self) -> str:
        return (
            f"line {self.line}: {self.where}: {self.reason}"
            if self.where
            else (f"line {self.line}: {self.reason}")
        )


class RuleSetFileError(ValueError):
    """The file is not a valid rule set; `problems` holds each line and reason."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{path} is not a valid rule set:\n{lines}")


def _line_of(root: yaml.Node, loc: Location) -> int:
    """The line of the deepest node `loc` reaches (pydantic's union tags are skipped)."""
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = [v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part]
            if found:
                node = found[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part >= 0:
            node = node.value[part] if part < len(node.value) else node
    return int(node.start_mark.line) + 1


def _where(loc: Location) -> str:
    shown: list[str] = []
    for part in map(str, loc):
        if part != "condition" and (not shown or shown[-1] != part):
            shown.append(part)  # pydantic repeats a union's tag before the field: drop it
    return ".".join(shown)


def parse_rules(text: str, path: Path = Path("<rules>")) -> RuleSet:
    """Validate rule-set text; raise `RuleSetFileError` listing every problem by line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "not YAML or JSON"
        raise RuleSetFileError(path, [Problem(line, "", str(reason))]) from None
    if root is None or not isinstance(data, dict):
        raise RuleSetFileError(path, [Problem(1, "", "a rule set is a mapping with `rules:`")])
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(_line_of(root, loc), _where(loc), reason)
            for loc, reason in describe_errors(exc)
        ]
        raise RuleSetFileError(path, problems) from None


def read_rules(path: Path) -> RuleSet:
    """The rule set in a `.yaml`, `.yml` or `.json` file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleSetFileError(path, [Problem(1, "", f"cannot read the file: {exc}")]) from None
    return parse_rules(text, path)
