"""Luhn, normalisation, HMAC tokenisation and masking."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_shared.card_number import (
    CardNumberError,
    Tokenizer,
    last4,
    luhn_valid,
    mask,
    normalize,
    tokenize,
    validate,
)
from tests.support.cards import TEST_PANS, with_check_digit

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("pan", TEST_PANS)
def test_published_test_numbers_pass_luhn(pan: str) -> None:
    assert luhn_valid(pan)
    assert validate(pan) == pan


@pytest.mark.parametrize("pan", TEST_PANS)
def test_one_changed_digit_fails_luhn(pan: str) -> None:
    altered = pan[:-1] + str((int(pan[-1]) + 1) % 10)
    with pytest.raises(CardNumberError, match="Luhn"):
        validate(altered)


def test_spaces_and_dashes_are_removed() -> None:
    assert normalize("4111 1111-1111 1111") == TEST_PANS[0]


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("411111111111", "13-19 digits, got 12"),
        ("4" * 20, "got 20"),
        ("4111a11111111111", "digits"),
    ],
)
def test_bad_shapes_are_refused_without_echoing_the_number(number: str, message: str) -> None:
    with pytest.raises(CardNumberError, match=message) as info:
        normalize(number)
    assert number not in str(info.value)


def test_token_is_keyed_hmac_sha256(hmac_key: bytes) -> None:
    expected = hmac.new(hmac_key, TEST_PANS[0].encode(), hashlib.sha256).hexdigest()
    assert tokenize("4111 1111 1111 1111", hmac_key) == expected


@pytest.mark.parametrize("length", [32, 63, 64, 65, 200])
def test_tokenizer_equals_the_standard_hmac_for_any_key_length(length: int) -> None:
    key = bytes((7 * i + length) % 256 for i in range(length))
    tokenizer = Tokenizer(key)
    for pan in TEST_PANS:
        assert tokenizer.token(pan) == hmac.new(key, pan.encode(), hashlib.sha256).hexdigest()


def test_token_depends_on_the_key(hmac_key: bytes) -> None:
    other = bytes(reversed(hmac_key))
    assert tokenize(TEST_PANS[0], hmac_key) != tokenize(TEST_PANS[0], other)


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        tokenize(TEST_PANS[0], b"short")


def test_mask_and_last4() -> None:
    assert mask(TEST_PANS[1]) == "•••• 4444"
    assert mask("4444") == "•••• 4444"
    assert last4(TEST_PANS[2]) == "0005"
    with pytest.raises(CardNumberError):
        mask("12")


def test_non_payment_prefix_is_refused() -> None:
    with pytest.raises(CardNumberError, match="start with 2-6"):
        validate(with_check_digit("179591000224"))


@given(st.text(alphabet="0123456789", min_size=11, max_size=17), st.sampled_from("23456"))
def test_token_never_contains_the_number(body: str, first: str) -> None:
    pan = with_check_digit(first + body)
    token = tokenize(pan, bytes(32))
    assert pan not in token
    assert len(token) == 64
    assert mask(pan).endswith(pan[-4:])


def _reference_luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


@settings(max_examples=500)
@given(st.text(alphabet="0123456789", min_size=1, max_size=24))
def test_luhn_matches_the_textbook_definition(digits: str) -> None:
    assert luhn_valid(digits) == _reference_luhn(digits)
