"""docs/settings.md is the page the settings models write: every knob of every entry point, each
with its type, rule, default and meaning; a settings model added anywhere must be on it."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Literal

import pytest
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from typer.testing import CliRunner

from cardwatch_local.cli import app
from cardwatch_local.settings_reference import ENTRY_POINTS, EntryPoint, reference, rows
from cardwatch_shared.settings import HmacKeySettings

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[3]
SOURCE_ROOTS = (
    "shared/src", "services/*/src", "packages/*/src", "ml/src", "local/src", "tui_client/src"
)  # fmt: skip
MIXINS = {HmacKeySettings}  # read through IngestSettings, which extends it


def _settings_models() -> set[type[BaseSettings]]:
    """Every settings model defined in the project's packages."""
    found: set[type[BaseSettings]] = set()
    for pattern in SOURCE_ROOTS:
        for root in ROOT.glob(pattern):
            for path in root.rglob("*.py"):
                if "SettingsConfigDict(" not in path.read_text(encoding="utf-8"):
                    continue
                name = ".".join(path.relative_to(root).with_suffix("").parts)
                module = importlib.import_module(name)
                found |= {
                    value
                    for value in vars(module).values()
                    if inspect.isclass(value)
                    and issubclass(value, BaseSettings)
                    and value.__module__ == module.__name__
                }
    return found


def test_the_committed_page_is_the_one_the_models_write() -> None:
    committed = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert committed == reference(), "run: cardwatch settings --write docs/settings.md"


def test_every_settings_model_of_the_project_is_on_the_page() -> None:
    models = _settings_models()
    assert len(models) >= 9
    listed = {entry.settings for entry in ENTRY_POINTS}
    assert models - MIXINS - listed == set()
    assert all(any(issubclass(e.settings, mixin) for e in ENTRY_POINTS) for mixin in MIXINS)


def test_every_variable_of_every_model_is_on_the_page() -> None:
    page = reference()
    for entry in ENTRY_POINTS:
        prefix = entry.settings.model_config.get("env_prefix", "")
        for name in entry.settings.model_fields:
            assert f"`{prefix.upper()}{name.upper()}`" in page, (entry.title, name)


class _Sample(BaseSettings):
    """A sample model."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_SAMPLE_")

    mode: Literal["fast", "safe"] = Field(default="safe", description="how")
    folder: Path = Field(default=Path.home() / "x" / "y", description="where")
    key: SecretStr | None = Field(default=None, description="the secret")
    size: int = Field(default=5, gt=0, le=10, description="how many")
    name: str = Field(default="n", min_length=1, pattern=r"^[a-z|]+$", description="a | name")
    on: bool = Field(default=True, description="whether")


def test_a_row_says_the_type_rule_default_and_meaning() -> None:
    table = {row[0]: row[1:] for row in rows(EntryPoint("Sample", _Sample, "tests", None))}
    assert table == {
        "`CARDWATCH_SAMPLE_MODE`": ("one of `fast`, `safe`", "`safe`", "how"),
        "`CARDWATCH_SAMPLE_FOLDER`": ("path", "`~/x/y`", "where"),
        "`CARDWATCH_SAMPLE_KEY`": ("secret or unset", "unset", "the secret"),
        "`CARDWATCH_SAMPLE_SIZE`": ("integer, > 0, ≤ 10", "`5`", "how many"),
        "`CARDWATCH_SAMPLE_NAME`": ("text, not empty, matches `^[a-z|]+$`", "`n`", "a | name"),
        "`CARDWATCH_SAMPLE_ON`": ("`true` / `false`", "`true`", "whether"),
    }


def test_a_knob_without_a_meaning_is_refused() -> None:
    class Undescribed(BaseSettings):
        size: int = 3

    with pytest.raises(ValueError, match=r"Undescribed\.size has no description"):
        rows(EntryPoint("Undescribed", Undescribed, "tests", None))


def test_the_command_writes_the_page(tmp_path: Path) -> None:
    target = tmp_path / "settings.md"
    result = CliRunner().invoke(app, ["settings", "--write", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == reference()
    shown = CliRunner().invoke(app, ["settings"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    assert "CARDWATCH_APPLIED_IDS_KEPT" in shown.output
