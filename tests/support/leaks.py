"""Card-number checks for what a test captured: hits shown masked, never in full."""

from __future__ import annotations

from cardwatch_shared.scrubber import card_number_spans, scrub_text


def leaks(text: str) -> list[str]:
    """Each card number in `text`, as its surroundings with the number masked; [] when clean.

    Digits inside a hex digest (a card token, an ETag) or a float's fraction are not numbers.
    """
    return [scrub_text(text[max(a - 60, 0) : b + 60]) for a, b in card_number_spans(text)]


def assert_clean(text: str, where: str = "output") -> None:
    """Fail with the masked hits (never the text itself) if `text` holds a card number."""
    found = leaks(text)
    if found:
        raise AssertionError(f"card number in {where}: {found}")
