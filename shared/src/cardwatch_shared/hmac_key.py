"""Loads the card-tokenisation HMAC key from SSM, Secrets Manager or the environment."""

from __future__ import annotations

import secrets
from typing import Any

from cardwatch_shared.card_number import MIN_KEY_BYTES
from cardwatch_shared.settings import HmacKeySettings


class HmacKeyError(RuntimeError):
    """The key is missing, ambiguous or too short; the message never holds key material."""


def _from_hex(text: str, origin: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise HmacKeyError(f"HMAC key from {origin} is not hex") from None
    if len(key) < MIN_KEY_BYTES:
        raise HmacKeyError(f"HMAC key from {origin} is shorter than {MIN_KEY_BYTES} bytes")
    return key


def load_hmac_key(
    settings: HmacKeySettings, ssm: Any | None = None, secrets_manager: Any | None = None
) -> bytes:
    """Read the key from the one configured source; clients are boto3 clients."""
    sources = [
        s
        for s in (settings.hmac_key_parameter, settings.hmac_key_secret_id, settings.hmac_key_hex)
        if s is not None
    ]
    if len(sources) != 1:
        raise HmacKeyError(
            "set exactly one of CARDWATCH_HMAC_KEY_PARAMETER, CARDWATCH_HMAC_KEY_SECRET_ID, "
            "CARDWATCH_HMAC_KEY_HEX"
        )
    if settings.hmac_key_parameter is not None:
        if ssm is None:
            raise HmacKeyError("an SSM client is needed to read the HMAC key parameter")
        reply = ssm.get_parameter(Name=settings.hmac_key_parameter, WithDecryption=True)
        return _from_hex(reply["Parameter"]["Value"], "SSM")
    if settings.hmac_key_secret_id is not None:
        if secrets_manager is None:
            raise HmacKeyError("a Secrets Manager client is needed to read the HMAC key secret")
        reply = secrets_manager.get_secret_value(SecretId=settings.hmac_key_secret_id)
        return _from_hex(reply["SecretString"], "Secrets Manager")
    assert settings.hmac_key_hex is not None
    return _from_hex(settings.hmac_key_hex.get_secret_value(), "CARDWATCH_HMAC_KEY_HEX")


def generate_hmac_key_hex() -> str:
    """A fresh 256-bit key, hex: what the local stack stores per stack."""
    return secrets.token_hex(32)
