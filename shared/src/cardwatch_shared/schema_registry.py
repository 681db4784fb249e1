"""Published JSON Schemas of the contracts, and the rule for evolving them.

`shared/contracts/<name>.json` is the current schema of each contract. The first schema of every
major version is frozen as `shared/contracts/released/<name>.v<MAJOR>.json`: within a major version
no required field may be removed, added or retyped. `python -m cardwatch_shared.schema_registry`
(or `make contracts`) rewrites the current files and freezes new majors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cardwatch_shared.contracts import PUBLISHED, Contract

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "contracts"
Schema = dict[str, Any]


def schema_of(model: type[Contract]) -> Schema:
    """The model's JSON Schema, stamped with its name and version."""
    schema = model.model_json_schema(mode="serialization")
    schema["$id"] = f"https://cardwatch.dev/contracts/{model.SCHEMA_NAME}.json"
    schema["x-schema-name"] = model.SCHEMA_NAME
    schema["x-schema-version"] = model.SCHEMA_VERSION
    return schema


def major(version: str) -> str:
    """ "1.3" -> "1"."""
    return version.split(".", 1)[0]


def current_path(model: type[Contract], root: Path = CONTRACTS_DIR) -> Path:
    """Where the model's current schema is committed."""
    return root / f"{model.SCHEMA_NAME}.json"


def released_path(model: type[Contract], root: Path = CONTRACTS_DIR) -> Path:
    """Where the frozen first schema of the model's major version is committed."""
    return root / "released" / f"{model.SCHEMA_NAME}.v{major(model.SCHEMA_VERSION)}.json"


def render(schema: Schema) -> str:
    """Stable text form, so a diff shows only real changes."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _signature(prop: Schema) -> Any:
    """The part of a property schema a consumer depends on: its type, not its description."""
    keys = ("type", "$ref", "anyOf", "allOf", "oneOf", "format", "items", "enum", "const")
    return {key: prop[key] for key in keys if key in prop}


def breaking_changes(old: Schema, new: Schema, path: str = "") -> list[str]:
    """Changes from `old` to `new` that would break an existing producer or consumer."""
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name in sorted(old_required - new_required):
        problems.append(f"{path}{name}: required field removed or made optional")
    for name in sorted(new_required - old_required):
        problems.append(f"{path}{name}: new required field")
    for name in sorted(old_props.keys() & new_props.keys()):
        if _signature(old_props[name]) != _signature(new_props[name]):
            problems.append(f"{path}{name}: type changed")
    for name in sorted(old.get("$defs", {}).keys() & new.get("$defs", {}).keys()):
        problems += breaking_changes(old["$defs"][name], new["$defs"][name], f"{name}.")
    return problems


def write_all(root: Path = CONTRACTS_DIR) -> list[Path]:
    """Rewrite every current schema and freeze the first schema of each new major version."""
    written: list[Path] = []
    for model in PUBLISHED:
        text = render(schema_of(model))
        for path in (current_path(model, root), released_path(model, root)):
            if path.parent.name == "released" and path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                written.append(path)
    return written


def main() -> int:
    """Entry point of `make contracts`."""
    for path in write_all():
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
