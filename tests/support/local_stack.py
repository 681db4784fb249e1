"""Clients of a running local stack, for tests that drive it from outside."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import boto3


def local_s3(endpoint: str) -> Any:
    """An S3 client of the local stack, as the AWS CLI or the terminal app would make it."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="cardwatch",
        aws_secret_access_key="cardwatch",
    )


def wait_until(condition: Callable[[], bool], timeout_s: float, every_s: float = 0.5) -> bool:
    """Poll `condition` until it holds (True) or `timeout_s` passes (False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every_s)
    return False
