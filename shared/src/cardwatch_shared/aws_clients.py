"""One place that builds AWS clients, honouring the endpoint override of the local stack."""

from __future__ import annotations

import platform
from functools import cache
from typing import Any

import boto3
import botocore
from botocore.config import Config

from cardwatch_shared import __version__
from cardwatch_shared.settings import CardwatchSettings


@cache
def short_user_agent() -> str:
    """The User-Agent of every client, made once: botocore rebuilds its own from a dozen
    components twice a call, about 100 µs of the 450 a DynamoDB PutItem costs the caller's CPU."""
    python = platform.python_version()
    return f"cardwatch/{__version__} Botocore/{botocore.__version__} Python/{python}"


def client_config(settings: CardwatchSettings) -> Config:
    """Timeouts and standard retry mode (with backoff and jitter) for every client; the short
    User-Agent unless the settings ask for botocore's own."""
    return Config(
        region_name=settings.aws_region,
        connect_timeout=settings.aws_connect_timeout_s,
        read_timeout=settings.aws_read_timeout_s,
        retries={"mode": "standard", "max_attempts": settings.aws_max_attempts},
        max_pool_connections=settings.aws_max_pool_connections,
        user_agent=short_user_agent() if settings.aws_short_user_agent else None,
    )


def new_client(service: str, settings: CardwatchSettings, config: Config | None = None) -> Any:
    """A boto3 client of its own for `service` (`config` merged over the settings' own)."""
    merged = client_config(settings).merge(config) if config else client_config(settings)
    return boto3.session.Session().client(
        service, endpoint_url=settings.aws_endpoint_url, config=merged
    )


@cache
def client(service: str, settings: CardwatchSettings | None = None) -> Any:
    """A cached boto3 client for `service` (one per container, reused across invocations)."""
    return new_client(service, settings or CardwatchSettings())


def resource(service: str, settings: CardwatchSettings | None = None) -> Any:
    """A boto3 resource for `service` (DynamoDB tables in tests and tools)."""
    settings = settings or CardwatchSettings()
    return boto3.session.Session().resource(
        service,
        endpoint_url=settings.aws_endpoint_url,
        config=client_config(settings),
    )


def async_client(service: str, settings: CardwatchSettings | None = None) -> Any:
    """An aioboto3 client context manager (`async with async_client("kinesis") as k:`).

    aioboto3 is imported lazily: Lambda functions that do not use it never pay for it.
    """
    import aioboto3

    settings = settings or CardwatchSettings()
    return aioboto3.Session().client(
        service, endpoint_url=settings.aws_endpoint_url, config=client_config(settings)
    )
