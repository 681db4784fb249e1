"""The pages keep up with the code: every link leads somewhere (the file exists, and a `#section`
is a heading of the page it names, as GitHub anchors it), and every `make` target and `cardwatch`
command the pages write exists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer.main

from cardwatch_local.cli import app

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[3]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PAGES += sorted(ROOT.glob("packages/*/README.md"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")  # pages and images alike
FENCE = re.compile(r"^[ \t]*```.*?^[ \t]*```", re.M | re.S)  # list items indent theirs
WORDS = r"[a-z][a-z-]*(?:\\?\|[a-z][a-z-]*)*"  # `a|b|c` (`a\|b` in a table) names each
MAKE_COMMAND = re.compile(rf"(?:^|[\s$(])make ({WORDS})", re.M)
CARDWATCH_COMMAND = re.compile(rf"(?:^|[\s$(])cardwatch ([a-z][a-z-]*)(?: ({WORDS}))?", re.M)


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {anchor(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, re.M)}


def links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return [target for target in LINK.findall(text) if "://" not in target]


def code(page: Path) -> str:
    """The page's code: its fenced blocks and inline spans, where commands are written."""
    text = page.read_text(encoding="utf-8")
    spans = re.findall(r"`([^`\n]+)`", FENCE.sub("", text))
    return "\n".join([*FENCE.findall(text), *spans])


def each(words: str) -> list[str]:
    """`a|b|c` (or `a\\|b` in a table) as its words."""
    return [word for word in re.split(r"\\?\|", words) if word]


def test_the_pages_are_found() -> None:
    assert len(PAGES) >= 10
    assert anchor("Hostile input, leak scan, security checks") == (
        "hostile-input-leak-scan-security-checks"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_leads_somewhere(page: Path) -> None:
    broken = []
    for target in links(page):
        path_text, _, section = target.partition("#")
        path = (page.parent / path_text).resolve() if path_text else page
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif section and path.suffix == ".md" and section not in anchors(path):
            broken.append(f"{target}: no such section")
    assert broken == []


def test_every_make_target_the_pages_name_exists() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    rules = re.findall(r"^([a-z][a-z -]*):", makefile, re.M)  # `a b c: …` makes three targets
    targets = {target for rule in rules for target in rule.split()}
    named = {
        target
        for page in PAGES
        for words in MAKE_COMMAND.findall(code(page))
        for target in each(words)
    }
    assert len(named) >= 10
    assert named - targets == set()


def test_every_cardwatch_command_the_pages_name_exists() -> None:
    commands: dict[str, Any] = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    named = {
        (first, second)
        for page in PAGES
        for first, words in CARDWATCH_COMMAND.findall(code(page))
        for second in each(words) or [""]
    }
    assert len(named) >= 10
    unknown = []
    for first, second in sorted(named):
        command = commands.get(first)
        if command is None:
            unknown.append(first)
        elif second and second not in getattr(command, "commands", {second: None}):
            unknown.append(f"{first} {second}")  # a group's sub-command
    assert unknown == []
