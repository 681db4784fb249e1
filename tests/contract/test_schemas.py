"""Each contract matches its committed JSON Schema, stays compatible within its major version, and
its sample event validates against both the model and the schema."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cardwatch_shared.contracts import PUBLISHED, Contract, TransactionRow
from cardwatch_shared.schema_registry import (
    CONTRACTS_DIR,
    breaking_changes,
    current_path,
    major,
    released_path,
    render,
    schema_of,
    write_all,
)
from tests.support.cards import TEST_PANS

pytestmark = pytest.mark.contract
NAMES = [model.SCHEMA_NAME for model in PUBLISHED]


def load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("model", PUBLISHED, ids=NAMES)
def test_model_matches_committed_schema(model: type[Contract]) -> None:
    committed = current_path(model).read_text(encoding="utf-8")
    assert render(schema_of(model)) == committed, (
        f"{model.__name__} changed but {current_path(model).name} did not: run `make contracts` "
        "(and bump SCHEMA_VERSION's major if a consumer would break)"
    )


@pytest.mark.parametrize("model", PUBLISHED, ids=NAMES)
def test_no_breaking_change_within_major_version(model: type[Contract]) -> None:
    released = released_path(model)
    assert released.exists(), f"no released schema for major {major(model.SCHEMA_VERSION)}"
    problems = breaking_changes(load(released), schema_of(model))
    assert not problems, (
        f"{model.__name__} {model.SCHEMA_VERSION} breaks consumers of "
        f"v{major(model.SCHEMA_VERSION)}: {problems}; bump the major version"
    )


@pytest.mark.parametrize("model", PUBLISHED, ids=NAMES)
def test_sample_event_validates(model: type[Contract]) -> None:
    sample = load(CONTRACTS_DIR / "examples" / f"{model.SCHEMA_NAME}.json")
    if model is TransactionRow:
        sample["card_number"] = TEST_PANS[1]
    jsonschema.validate(sample, load(current_path(model)))
    model.model_validate(sample)


def test_write_all_is_idempotent_and_freezes_releases(tmp_path: Path) -> None:
    first = write_all(tmp_path)
    assert len(first) == 2 * len(PUBLISHED)
    assert write_all(tmp_path) == []
    frozen = released_path(PUBLISHED[0], tmp_path)
    frozen.write_text("{}\n", encoding="utf-8")
    write_all(tmp_path)
    assert frozen.read_text(encoding="utf-8") == "{}\n"


class TestBreakingChanges:
    """The compatibility rule itself, on small schemas."""

    base: dict[str, Any] = {  # noqa: RUF012 - read-only fixture
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
    }

    def changed(self, **props: Any) -> dict[str, Any]:
        schema = copy.deepcopy(self.base)
        schema["properties"].update(props)
        return schema

    def test_identical_is_compatible(self) -> None:
        assert breaking_changes(self.base, copy.deepcopy(self.base)) == []

    def test_optional_field_added_is_compatible(self) -> None:
        assert breaking_changes(self.base, self.changed(c={"type": "string"})) == []

    def test_description_change_is_compatible(self) -> None:
        new = self.changed(a={"type": "string", "description": "now documented"})
        assert breaking_changes(self.base, new) == []

    def test_removed_required_field_breaks(self) -> None:
        new = copy.deepcopy(self.base)
        del new["properties"]["b"]
        new["required"] = ["a"]
        assert breaking_changes(self.base, new) == ["b: required field removed or made optional"]

    def test_retyped_field_breaks(self) -> None:
        assert breaking_changes(self.base, self.changed(b={"type": "string"})) == [
            "b: type changed"
        ]

    def test_new_required_field_breaks(self) -> None:
        new = self.changed(c={"type": "string"})
        new["required"] = ["a", "b", "c"]
        assert breaking_changes(self.base, new) == ["c: new required field"]

    def test_nested_definitions_are_checked(self) -> None:
        old = {"$defs": {"Inner": self.base}}
        new = {"$defs": {"Inner": self.changed(a={"type": "number"})}}
        assert breaking_changes(old, new) == ["Inner.a: type changed"]
