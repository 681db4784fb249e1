"""Alert emails: ASCII subjects, the committed examples match the renderer, no card numbers."""

from __future__ import annotations

import pytest

from cardwatch_notifier.alert_email import ascii_subject
from cardwatch_notifier.example_email import EXAMPLES_DIR, as_text, example_emails
from tests.support.leaks import assert_clean

pytestmark = pytest.mark.unit


def test_subjects_are_ascii_single_line_and_short() -> None:
    subject = ascii_subject("cardwatch fraud alert: 12 EUR at Café\nDéjà Vu " + "x" * 200)
    assert subject.isascii()
    assert "\n" not in subject
    assert len(subject) < 100
    assert subject.startswith("cardwatch fraud alert: 12 EUR at Cafe Deja Vu")


@pytest.mark.parametrize("name", ["alert-email.txt", "digest-email.txt"])
def test_committed_examples_match_the_renderer(name: str) -> None:
    committed = (EXAMPLES_DIR / name).read_text(encoding="utf-8")
    assert committed == as_text(example_emails()[name]), "run `make examples`"
    assert_clean(committed, "the email")
    assert "•••• " in committed
