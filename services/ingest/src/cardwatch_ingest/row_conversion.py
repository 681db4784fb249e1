"""An accepted row → the `Transaction` payload for Kinesis: the card is tokenised away here.

The payload is built as JSON directly (it runs once per row); a contract test proves it validates
as `Transaction` and parses to what the model would serialise.
"""

from __future__ import annotations

from datetime import datetime
from json.encoder import encode_basestring

from cardwatch_shared.card_number import Tokenizer
from cardwatch_shared.contracts import Transaction
from cardwatch_shared.contracts.currency import MINOR_UNITS
from cardwatch_shared.contracts.transaction_row_fast import FastRow, contract_time
from cardwatch_shared.ids import derived_transaction_id

_string = encode_basestring  # a JSON string literal, non-ASCII kept (as ensure_ascii=False)


def _number(value: float | None) -> str:
    return "null" if value is None else repr(value)


class PayloadBuilder:
    """Builds the stream records of one upload (same source and ingest time for every row).

    The JSON is written from a template: the parts that are the same for the whole file are
    encoded once, free text goes through the json module's own string encoder, and the other
    values are validated to characters JSON needs no escape for (digits, letters, ISO times)."""

    def __init__(
        self, tokenizer: Tokenizer, bucket: str, key: str, upload_id: str, ingested_at: datetime
    ) -> None:
        self._tokenizer = tokenizer
        self._upload_id = upload_id
        self._tail = (
            f',"ingested_at":"{contract_time(ingested_at)}","source":{{"bucket":{_string(bucket)},'
            f'"key":{_string(key)},"row_number":'
        )
        self._end = f',"upload_id":{_string(upload_id)}}}}}'
        self._head = f'{{"schema_version":"{Transaction.SCHEMA_VERSION}","transaction_id":'

    def build(self, row: FastRow, row_number: int) -> tuple[str, str, bytes]:
        """(transaction id, card token, JSON payload) of one accepted row."""
        transaction_id = row.transaction_id or derived_transaction_id(self._upload_id, row_number)
        token = self._tokenizer.token(row.card_digits)
        amount = row.amount
        payload = (
            f'{self._head}{_string(transaction_id)},"card_token":"{token}",'
            f'"last4":"{row.card_digits[-4:]}","amount":"{amount}",'
            f'"amount_minor":{int(amount.scaleb(MINOR_UNITS[row.currency]))},'
            f'"currency":"{row.currency}","event_time":"{row.event_time}",'
            f'"merchant_id":{_string(row.merchant_id)},"merchant_name":{_string(row.merchant_name)},'
            f'"mcc":"{row.mcc}","terminal_id":{_string(row.terminal_id)},'
            f'"channel":"{row.channel.value}","country":"{row.country}",'
            f'"latitude":{_number(row.latitude)},"longitude":{_number(row.longitude)}'
            f"{self._tail}{row_number}{self._end}"
        )
        return transaction_id, token, payload.encode()
