"""Settings shared by every entry point; each service extends `CardwatchSettings`.

Every knob is an environment variable with the `CARDWATCH_` prefix, validated at cold start.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CardwatchSettings(BaseSettings):
    """Where AWS is and how to reach it; the base of every service's settings."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    aws_region: str = Field(default="us-east-1", description="region of every client")
    aws_endpoint_url: str | None = Field(
        default=None, description="endpoint override: the local stack, e.g. http://127.0.0.1:4566"
    )
    aws_connect_timeout_s: float = Field(
        default=5.0, gt=0, description="seconds to open a connection to AWS"
    )
    aws_read_timeout_s: float = Field(
        default=30.0, gt=0, description="seconds to wait for an AWS answer"
    )
    aws_max_attempts: int = Field(
        default=5,
        ge=1,
        description="tries of an AWS call, the first included (standard retry mode)",
    )
    aws_max_pool_connections: int = Field(
        default=16, ge=1, description="HTTP connections per client"
    )
    aws_short_user_agent: bool = Field(
        default=True,
        description="send a User-Agent made once per process (cardwatch, botocore and Python "
        "versions): botocore rebuilds its full one twice a call, a quarter of a call's CPU",
    )


class HmacKeySettings(BaseSettings):
    """Where the card-tokenisation key comes from. Exactly one source must be set.

    In AWS: an SSM SecureString parameter name or a Secrets Manager secret id. Locally and in
    tests: the key itself (hex), generated per stack by the local runtime, never committed.
    """

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    hmac_key_parameter: str | None = Field(
        default=None,
        description="SSM SecureString parameter holding the key, hex (set one key source only)",
    )
    hmac_key_secret_id: str | None = Field(
        default=None, description="Secrets Manager secret holding the key, hex"
    )
    hmac_key_hex: SecretStr | None = Field(
        default=None,
        description="the key itself, hex, 32 bytes or more (local stack and tests only)",
    )
