"""One CSV row → `TransactionRow` → `Transaction`: validate, then tokenise the card away."""

from __future__ import annotations

from datetime import datetime

from cardwatch_shared.card_number import tokenize
from cardwatch_shared.contracts import Transaction, TransactionRow, TransactionSource
from cardwatch_shared.contracts.currency import to_minor
from cardwatch_shared.ids import derived_transaction_id


def to_transaction(
    row: TransactionRow, key: bytes, source: TransactionSource, ingested_at: datetime
) -> Transaction:
    """The stream's view of a row: HMAC token and last four instead of the card number."""
    digits = row.card_digits
    return Transaction(
        transaction_id=row.transaction_id
        or derived_transaction_id(source.upload_id, source.row_number),
        card_token=tokenize(digits, key),
        last4=digits[-4:],
        amount=row.amount,
        amount_minor=to_minor(row.amount, row.currency),
        currency=row.currency,
        event_time=row.timestamp,
        merchant_id=row.merchant_id,
        merchant_name=row.merchant_name,
        mcc=row.mcc,
        terminal_id=row.terminal_id,
        channel=row.channel,
        country=row.country,
        latitude=row.latitude,
        longitude=row.longitude,
        ingested_at=ingested_at,
        source=source,
    )
