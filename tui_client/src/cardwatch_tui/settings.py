"""Every knob of the terminal app (CARDWATCH_ prefix): where batches are saved, which stack."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class TuiSettings(BaseSettings):
    """The app talks to the local stack by default; `CARDWATCH_ENVIRONMENT` and
    `CARDWATCH_AWS_PROFILE` point it at a deployed one."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    tui_outbox_dir: Path = Field(
        default=Path.home() / ".cardwatch" / "outbox",
        description="where batches are saved as CSV before upload (owner-only)",
    )
    local_state_dir: Path = Field(
        default=Path.home() / ".cardwatch",
        description="the local stack's state folder: its endpoint and mailbox",
    )
    environment: str = Field(
        default="local", pattern=r"^(local|dev|prod)$", description="the stack to talk to"
    )
    aws_profile: str | None = Field(default=None, description="AWS profile for a deployed stack")
    aws_region: str = Field(default="us-east-1", description="region of that stack")
    aws_endpoint_url: str | None = Field(
        default=None, description="endpoint override (unset: the running local stack's)"
    )
    tui_poll_interval_s: float = Field(
        default=2.0, gt=0, description="seconds between refreshes of verdicts and alerts"
    )

    @property
    def mailbox_dir(self) -> Path:
        """Where the local stack writes alert emails."""
        return self.local_state_dir / "mailbox"

    def endpoint(self) -> str | None:
        """The AWS endpoint: the setting, else the running local stack's, else AWS itself."""
        if self.aws_endpoint_url or self.environment != "local":
            return self.aws_endpoint_url
        state = self.local_state_dir / "local.json"
        try:
            return str(json.loads(state.read_text(encoding="utf-8"))["endpoint"])
        except (OSError, ValueError, KeyError):
            return "http://127.0.0.1:4566"
