"""Removes card numbers from anything about to leave a process: log lines, records, reports.

A run of 13-19 digits (spaces or dashes allowed between them) that starts like a payment card
(2-6) and passes Luhn is replaced by its mask. The scrubber is the last line of defence, not the
first: code must not log numbers at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from cardwatch_shared.card_number import MAX_PAN_LENGTH, MIN_PAN_LENGTH, luhn_valid, mask

_CANDIDATE = re.compile(r"(?<![\d])[2-6](?:[ -]?\d){12,18}(?![\d])")
_SENSITIVE_KEYS = frozenset({"cvv", "cvc", "cvv2", "cvc2", "cid", "pin", "track1", "track2"})
REDACTED = "[REDACTED]"
_HEX = frozenset("0123456789abcdefABCDEF")
_DIGEST_CHARS = 32
_FRACTION = re.compile(r"\d\.$")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _replace(match: re.Match[str]) -> str:
    digits = re.sub(r"[ -]", "", match.group())
    if MIN_PAN_LENGTH <= len(digits) <= MAX_PAN_LENGTH and luhn_valid(digits):
        return mask(digits)
    return match.group()


def scrub_text(text: str) -> str:
    """Mask every Luhn-valid 13-19 digit run in `text`."""
    return _CANDIDATE.sub(_replace, text)


def contains_card_number(text: str) -> bool:
    """True when `text` holds a Luhn-valid 13-19 digit run."""
    return may_hold_card_number(text) and scrub_text(text) != text


def may_hold_card_number(text: str) -> bool:
    """True when `text` has a 13-19 digit run, Luhn unchecked: the cheap first look."""
    return _CANDIDATE.search(text) is not None


def _in_hex_digest(text: str, start: int, end: int) -> bool:
    """True when the digits sit inside a long hex string (a token, a digest, an ETag)."""
    while start > 0 and text[start - 1] in _HEX:
        start -= 1
    while end < len(text) and text[end] in _HEX:
        end += 1
    run = text[start:end]
    return len(run) >= _DIGEST_CHARS and not run.isdigit()


def card_number_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` holds a card number, for leak scans: like `contains_card_number`, but digit
    runs inside a hex digest, a UUID (request and message ids: their all-digit groups joined by
    dashes look like a spaced number) or after a decimal point (a float's fraction) are not."""
    spans = []
    uuids = [m.span() for m in _UUID.finditer(text)]
    for match in _CANDIDATE.finditer(text):
        start, end = match.span()
        if _replace(match) == match.group():
            continue
        if _FRACTION.search(text, max(start - 2, 0), start) or _in_hex_digest(text, start, end):
            continue
        if any(low <= start and end <= high for low, high in uuids):
            continue
        spans.append((start, end))
    return spans


def scrub(value: Any) -> Any:
    """Scrub strings inside nested dicts and lists; redact CVV/PIN/track keys whole."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {
            key: REDACTED if str(key).lower() in _SENSITIVE_KEYS else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        return [scrub(item) for item in value]
    return value
