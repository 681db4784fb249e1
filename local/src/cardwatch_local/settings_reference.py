"""The reference of every knob (`docs/settings.md`), written from the settings models themselves,
so the page cannot drift from the code: a test holds the committed page equal to `reference()`."""

from __future__ import annotations

import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from cardwatch_ingest.labels_settings import LabelsSettings
from cardwatch_ingest.settings import IngestSettings
from cardwatch_local.chaos_plan import ChaosPlan
from cardwatch_local.settings import LocalSettings
from cardwatch_ml.settings import ModelSettings
from cardwatch_notifier.settings import NotifierSettings
from cardwatch_scorer.settings import ScorerSettings
from cardwatch_shared.settings import CardwatchSettings
from cardwatch_tui.settings import TuiSettings

HEADER = """# Settings

Every knob is an environment variable, read and validated once when a function's container or a
command starts: a bad value stops it with the variable's name and the reason, before any work.
Variables no entry point knows are ignored. In AWS the SAM templates set the functions' variables
(the tables, the bucket, the stream and the key come from the core stack); locally the stack sets
them from the same templates.

This page is written from the settings models (`cardwatch settings --write docs/settings.md`);
a test fails when it and the code differ.
"""

_CONSTRAINTS: tuple[tuple[type[Any], str, str], ...] = (
    (annotated_types.Gt, "gt", "> {}"),
    (annotated_types.Ge, "ge", "≥ {}"),
    (annotated_types.Lt, "lt", "< {}"),
    (annotated_types.Le, "le", "≤ {}"),
    (annotated_types.MinLen, "min_length", "at least {} characters"),
    (annotated_types.MaxLen, "max_length", "at most {} characters"),
)


@dataclass(frozen=True)
class EntryPoint:
    """A settings model and who reads it."""

    title: str
    settings: type[BaseSettings]
    readers: str
    shared: type[BaseSettings] | None = CardwatchSettings


ENTRY_POINTS: tuple[EntryPoint, ...] = (
    EntryPoint(
        "Every AWS function and tool",
        CardwatchSettings,
        "every function below and the model tools",
        shared=None,
    ),
    EntryPoint("Ingest", IngestSettings, "the ingest function (`cardwatch_ingest.handler`)"),
    EntryPoint("Labels", LabelsSettings, "the labels function (`cardwatch_ingest.labels_handler`)"),
    EntryPoint("Scorer", ScorerSettings, "the scorer function (`cardwatch_scorer.handler`)"),
    EntryPoint(
        "Notifier",
        NotifierSettings,
        "the notifier and digest functions (`cardwatch_notifier.handler`)",
    ),
    EntryPoint(
        "Model tools", ModelSettings, "`cardwatch model …` when no stack is found to point at"
    ),
    EntryPoint(
        "Local stack", LocalSettings, "`make demo`, `cardwatch demo`, `cardwatch local …`", None
    ),
    EntryPoint("Terminal app", TuiSettings, "`make tui`, `cardwatch tui`", None),
    EntryPoint("Chaos run", ChaosPlan, "`make chaos`, `cardwatch chaos`", None),
)


def variable(settings: type[BaseSettings], name: str) -> str:
    """The environment variable of field `name`."""
    return f"{settings.model_config.get('env_prefix', '')}{name}".upper()


def type_text(annotation: Any) -> str:
    """A field's type as a reader knows it: integer, text, path, one of …, … or unset."""
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(f"`{value}`" for value in get_args(annotation))
    if get_origin(annotation) in (Union, types.UnionType):
        present = [arg for arg in get_args(annotation) if arg is not type(None)]
        return " or ".join(type_text(arg) for arg in present) + " or unset"
    names = {str: "text", int: "integer", float: "number", bool: "`true` / `false`", Path: "path"}
    return names.get(annotation, "secret" if annotation.__name__ == "SecretStr" else "text")


def default_text(field: FieldInfo) -> str:
    """The default as it would be written in the variable (the home folder as `~`)."""
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, Path):
        home = Path.home()
        shown = f"~/{value.relative_to(home)}" if value.is_relative_to(home) else str(value)
        return f"`{shown}`"
    if value == "":
        return "empty"
    return f"`{value}`"


def rule_text(field: FieldInfo) -> str:
    """The constraints a value must meet."""
    rules: list[str] = []
    for item in field.metadata:
        if isinstance(item, annotated_types.MinLen) and item.min_length == 1:
            rules.append("not empty")
            continue
        for kind, attribute, shown in _CONSTRAINTS:
            if isinstance(item, kind):
                rules.append(shown.format(getattr(item, attribute)))
        pattern = getattr(item, "pattern", None)
        if pattern:
            rules.append(f"matches `{pattern}`")
    return ", ".join(rules)


def rows(entry: EntryPoint) -> list[tuple[str, str, str, str]]:
    """(variable, type and rule, default, meaning) of each field the entry point adds."""
    inherited = set(entry.shared.model_fields) if entry.shared else set()
    out = []
    for name, field in entry.settings.model_fields.items():
        if name in inherited:
            continue
        if not field.description:
            raise ValueError(f"{entry.settings.__name__}.{name} has no description")
        kind = type_text(field.annotation)
        rule = rule_text(field)
        out.append(
            (
                f"`{variable(entry.settings, name)}`",
                f"{kind}, {rule}" if rule else kind,
                default_text(field),
                field.description,
            )
        )
    return out


def section(entry: EntryPoint) -> str:
    """One entry point's table."""
    summary = " ".join((entry.settings.__doc__ or "").strip().split("\n\n")[0].split())
    lines = [f"## {entry.title}", "", summary, "", f"Read by {entry.readers}."]
    if entry.shared is not None:
        lines[-1] += " It also reads every variable of the first table."
    lines += ["", "| variable | value | default | what it sets |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows(entry)]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def reference() -> str:
    """The whole page."""
    return "\n\n".join([HEADER.rstrip("\n"), *(section(entry) for entry in ENTRY_POINTS)]) + "\n"
