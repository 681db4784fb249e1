"""The HMAC key comes from exactly one configured source and is never echoed."""

from __future__ import annotations

import pytest

from cardwatch_shared.hmac_key import HmacKeyError, generate_hmac_key_hex, load_hmac_key
from cardwatch_shared.settings import HmacKeySettings

pytestmark = pytest.mark.unit


def test_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    key_hex = generate_hmac_key_hex()
    monkeypatch.setenv("CARDWATCH_HMAC_KEY_HEX", key_hex)
    assert load_hmac_key(HmacKeySettings()) == bytes.fromhex(key_hex)
    assert key_hex not in repr(HmacKeySettings())


def test_no_source_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HEX", "PARAMETER", "SECRET_ID"):
        monkeypatch.delenv(f"CARDWATCH_HMAC_KEY_{name}", raising=False)
    with pytest.raises(HmacKeyError, match="exactly one"):
        load_hmac_key(HmacKeySettings())


def test_two_sources_are_an_error() -> None:
    settings = HmacKeySettings(hmac_key_hex="00" * 32, hmac_key_parameter="/cardwatch/key")
    with pytest.raises(HmacKeyError, match="exactly one"):
        load_hmac_key(settings)


@pytest.mark.parametrize(("value", "message"), [("zz" * 32, "not hex"), ("ab" * 8, "shorter")])
def test_bad_key_material(value: str, message: str) -> None:
    with pytest.raises(HmacKeyError, match=message) as info:
        load_hmac_key(HmacKeySettings(hmac_key_hex=value))
    assert value not in str(info.value)


def test_generated_keys_are_256_bit_and_fresh() -> None:
    first, second = generate_hmac_key_hex(), generate_hmac_key_hex()
    assert len(bytes.fromhex(first)) == 32
    assert first != second
