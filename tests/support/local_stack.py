"""Clients of a running local stack, for tests that drive it from outside."""

from __future__ import annotations

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
