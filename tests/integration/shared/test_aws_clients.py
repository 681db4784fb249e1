"""The client factory reaches moto server through the endpoint override; the HMAC key loads from
SSM SecureString and Secrets Manager there, as it does in AWS."""

from __future__ import annotations

import pytest

from cardwatch_shared.aws_clients import async_client, client
from cardwatch_shared.hmac_key import generate_hmac_key_hex, load_hmac_key
from cardwatch_shared.settings import CardwatchSettings, HmacKeySettings

pytestmark = pytest.mark.integration


def test_key_from_ssm_secure_string(aws_endpoint: str) -> None:
    key_hex = generate_hmac_key_hex()
    ssm = client("ssm")
    ssm.put_parameter(Name="/cardwatch/dev/hmac-key", Value=key_hex, Type="SecureString")
    settings = HmacKeySettings(hmac_key_parameter="/cardwatch/dev/hmac-key")
    assert load_hmac_key(settings, ssm=ssm) == bytes.fromhex(key_hex)


def test_key_from_secrets_manager(aws_endpoint: str) -> None:
    key_hex = generate_hmac_key_hex()
    secrets = client("secretsmanager")
    secrets.create_secret(Name="cardwatch/dev/hmac-key", SecretString=key_hex)
    settings = HmacKeySettings(hmac_key_secret_id="cardwatch/dev/hmac-key")
    assert load_hmac_key(settings, secrets_manager=secrets) == bytes.fromhex(key_hex)


def test_clients_honour_the_endpoint(aws_endpoint: str) -> None:
    assert CardwatchSettings().aws_endpoint_url == aws_endpoint
    s3 = client("s3")
    assert s3.meta.endpoint_url == aws_endpoint
    s3.create_bucket(Bucket="cardwatch-test")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["cardwatch-test"]


async def test_async_client_honours_the_endpoint(aws_endpoint: str) -> None:
    client("s3").create_bucket(Bucket="cardwatch-async")
    async with async_client("s3") as s3:
        reply = await s3.list_buckets()
    assert [b["Name"] for b in reply["Buckets"]] == ["cardwatch-async"]
