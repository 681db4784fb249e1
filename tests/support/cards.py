"""Test card numbers: the schemes' published test PANs and a Luhn completer for generated ones."""

from __future__ import annotations

from cardwatch_shared.card_number import luhn_valid

# Public test card numbers published by the card schemes for testing; never real cards.
TEST_PANS = ("4111111111111111", "5555555555554444", "378282246310005", "6011111111111117")
# Also published for testing (a payment processor's Visa debit and "declined" test cards); the
# only card numbers the repository may hold besides the ones above.
PUBLISHED_TEST_PANS = (*TEST_PANS, "4000056655665556", "4000000000000002")


def with_check_digit(body: str) -> str:
    """Append the digit that makes `body` Luhn-valid."""
    return next(body + d for d in "0123456789" if luhn_valid(body + d))
