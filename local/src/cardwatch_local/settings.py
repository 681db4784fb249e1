"""Settings of the local stack and the demo (`CARDWATCH_` prefix)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class LocalSettings(BaseSettings):
    """Where the embedded AWS listens and where local state (mailbox, summaries) goes."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    local_host: str = "127.0.0.1"
    local_port: int = Field(default=4566, ge=0, le=65535, description="0: any free port")
    local_state_dir: Path = Path.home() / ".cardwatch"
    aws_region: str = "us-east-1"
    local_log_format: Literal["pretty", "json"] = Field(
        default="pretty",
        description="function output on the console of `local up`: readable lines, or the JSON "
        "that CloudWatch Logs keeps either way",
    )
