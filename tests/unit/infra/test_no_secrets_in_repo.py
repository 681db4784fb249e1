"""What the repository itself must never hold: a key (the HMAC key above all), an AWS access key,
or a card number other than the schemes' published test numbers."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from cardwatch_shared.scrubber import card_number_spans
from tests.support.cards import PUBLISHED_TEST_PANS

pytestmark = pytest.mark.unit
ROOT = Path(__file__).parents[3]
KEY_NAME = (
    r"hmac[_-]?key|key[_-]?hex|secret(?:[_-]?(?:key|string|value))?|(?:api|access|private)[_-]?key"
)
HEX_KEY = re.compile(rf"(?i)({KEY_NAME})[^\n]{{0,40}}?['\"=:\s]([0-9a-f]{{32,}})(?![0-9a-f])")
AWS_ACCESS_KEY = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
LOCK_FILES = {"uv.lock"}


def _tracked_texts() -> list[tuple[str, str]]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607 - git from PATH, as the CI has it
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    texts = []
    for name in filter(None, listed.split("\0")):
        path = ROOT / name
        if path.name in LOCK_FILES or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" not in data[:8192]:
            texts.append((name, data.decode("utf-8", errors="replace")))
    return texts


def test_no_key_material_is_committed() -> None:
    found = [
        (name, match.group(1))
        for name, text in _tracked_texts()
        for match in HEX_KEY.finditer(text)
        if not re.fullmatch(r"0+", match.group(2))
    ]
    found += [(n, "aws access key") for n, t in _tracked_texts() if AWS_ACCESS_KEY.search(t)]
    assert found == []


def test_only_published_test_card_numbers_are_committed() -> None:
    allowed = set(PUBLISHED_TEST_PANS)
    strays = []
    for name, text in _tracked_texts():
        for start, end in card_number_spans(text):
            digits = re.sub(r"\D", "", text[start:end])
            if digits not in allowed:
                strays.append((name, f"…{digits[-4:]}"))
    assert strays == []
