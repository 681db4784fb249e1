"""Every knob of the terminal app (CARDWATCH_ prefix): where batches are saved, which stack."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class TuiSettings(BaseSettings):
    """The app talks to the local stack by default; set `environment`/`aws_profile` for AWS."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    tui_outbox_dir: Path = Field(default=Path.home() / ".cardwatch" / "outbox")
    local_state_dir: Path = Field(default=Path.home() / ".cardwatch")
    environment: str = Field(default="local", pattern=r"^(local|dev|prod)$")
    aws_profile: str | None = None
    aws_region: str = "us-east-1"
    aws_endpoint_url: str | None = None
    tui_poll_interval_s: float = Field(default=2.0, gt=0)

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
