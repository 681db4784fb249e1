"""Partition keys of the state table: the scorer keeps cards and terminals there, and the label
store moves the terminals' fraud counts; both must name an item the same way."""

from __future__ import annotations


def card_key(token: str) -> str:
    """Partition key of a card's state."""
    return f"card#{token}"


def terminal_key(terminal_id: str) -> str:
    """Partition key of a terminal's state."""
    return f"terminal#{terminal_id}"


def card_risk_key(token: str) -> str:
    """Partition key of a card's confirmed-fraud counts (`f_<day>`), kept apart from its state
    item, which the scorer rewrites whole."""
    return f"cardrisk#{token}"
