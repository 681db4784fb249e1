"""`Transaction` payloads for scorer tests (what ingest puts on the stream)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from cardwatch_scorer.stream_transaction import StreamTransaction
from cardwatch_shared.contracts import Channel, Transaction, TransactionSource

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def transaction(index: int, card: str = "a", amount: str = "25.00", **changes: Any) -> Transaction:
    """A transaction of card `card` (tokenised name), `index` minutes after T0."""
    values: dict[str, Any] = {
        "transaction_id": f"tx-{index:05d}",
        "card_token": hashlib.sha256(card.encode()).hexdigest(),
        "last4": "1111",
        "amount": Decimal(amount),
        "amount_minor": int(Decimal(amount) * 100),
        "currency": "EUR",
        "event_time": T0 + timedelta(minutes=index),
        "merchant_id": "M-1",
        "merchant_name": "Boulangerie",
        "mcc": "5462",
        "terminal_id": f"T-{index % 3}",
        "channel": Channel.CARD_PRESENT,
        "country": "FR",
        "ingested_at": T0 + timedelta(minutes=index, seconds=5),
        "source": TransactionSource(
            bucket="b", key="incoming/x.csv", row_number=index + 1, upload_id="b/incoming/x.csv@e"
        ),
    }
    values.update(changes)
    return Transaction(**values)


def stream_transaction(
    index: int, card: str = "a", amount: str = "25.00", **changes: Any
) -> StreamTransaction:
    """`transaction`, as the scorer holds it once read off the stream."""
    return StreamTransaction.of(transaction(index, card, amount, **changes))
