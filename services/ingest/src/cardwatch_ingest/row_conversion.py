"""An accepted row → the `Transaction` payload for Kinesis: the card is tokenised away here.

The payload is built as JSON directly (it runs once per row); a contract test proves it validates
as `Transaction` and equals what the model would serialise.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from cardwatch_shared.card_number import Tokenizer
from cardwatch_shared.contracts import Transaction
from cardwatch_shared.contracts.currency import MINOR_UNITS
from cardwatch_shared.contracts.transaction_row_fast import FastRow
from cardwatch_shared.ids import derived_transaction_id

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def utc_text(moment: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as pydantic writes aware datetimes."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class PayloadBuilder:
    """Builds the stream records of one upload (same source and ingest time for every row)."""

    def __init__(
        self, tokenizer: Tokenizer, bucket: str, key: str, upload_id: str, ingested_at: datetime
    ) -> None:
        self._tokenizer = tokenizer
        self._bucket, self._key, self._upload_id = bucket, key, upload_id
        self._ingested_at = utc_text(ingested_at)

    def build(self, row: FastRow, row_number: int) -> tuple[str, str, bytes]:
        """(transaction id, card token, JSON payload) of one accepted row."""
        transaction_id = row.transaction_id or derived_transaction_id(self._upload_id, row_number)
        token = self._tokenizer.token(row.card_digits)
        body = {
            "schema_version": Transaction.SCHEMA_VERSION,
            "transaction_id": transaction_id,
            "card_token": token,
            "last4": row.card_digits[-4:],
            "amount": str(row.amount),
            "amount_minor": int(row.amount.scaleb(MINOR_UNITS[row.currency])),
            "currency": row.currency,
            "event_time": utc_text(row.timestamp),
            "merchant_id": row.merchant_id,
            "merchant_name": row.merchant_name,
            "mcc": row.mcc,
            "terminal_id": row.terminal_id,
            "channel": row.channel.value,
            "country": row.country,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "ingested_at": self._ingested_at,
            "source": {
                "bucket": self._bucket,
                "key": self._key,
                "row_number": row_number,
                "upload_id": self._upload_id,
            },
        }
        return transaction_id, token, _dumps(body).encode()
