"""ISO 4217 currencies cardwatch accepts, with their minor units (decimal places)."""

from __future__ import annotations

from decimal import Decimal

MINOR_UNITS: dict[str, int] = {
    "AED": 2, "AUD": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2,
    "CZK": 2, "DKK": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2,
    "ISK": 0, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "MXN": 2, "MYR": 2, "NOK": 2, "NZD": 2,
    "OMR": 3, "PHP": 2, "PLN": 2, "RON": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2, "TND": 3,
    "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
}  # fmt: skip


def minor_units(currency: str) -> int:
    """Decimal places of `currency`; KeyError for a currency we do not accept."""
    return MINOR_UNITS[currency]


def to_minor(amount: Decimal, currency: str) -> int:
    """Amount in the currency's minor unit (cents for EUR, yen for JPY)."""
    return int(amount.scaleb(MINOR_UNITS[currency]))
