"""Settings of the local stack and the demo (`CARDWATCH_` prefix)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from cardwatch_local.smtp_relay import SmtpRelay


class LocalSettings(BaseSettings):
    """Where the embedded AWS listens and where local state (mailbox, summaries) goes."""

    model_config = SettingsConfigDict(env_prefix="CARDWATCH_", extra="ignore", frozen=True)

    local_host: str = Field(default="127.0.0.1", description="address the emulator listens on")
    local_port: int = Field(default=4566, ge=0, le=65535, description="0: any free port")
    local_state_dir: Path = Field(
        default=Path.home() / ".cardwatch",
        description="the stack's state: its endpoint, logs, mailbox, demo summaries",
    )
    aws_region: str = Field(default="us-east-1", description="region of the local stack")
    local_smtp_host: str | None = Field(
        default=None,
        description="SMTP server the mailbox relays alert emails to (none: files only)",
    )
    local_smtp_port: int = Field(default=25, ge=1, le=65535, description="port of that server")
    local_smtp_sender: str = Field(
        default="cardwatch@localhost", description="From address of relayed emails"
    )
    local_smtp_starttls: bool = Field(
        default=False, description="upgrade the connection with STARTTLS"
    )
    local_smtp_user: str | None = Field(default=None, description="login (none: no login)")
    local_smtp_password: SecretStr | None = Field(
        default=None, description="password of that login"
    )
    local_log_format: Literal["pretty", "json"] = Field(
        default="pretty",
        description="function output on the console of `local up`: readable lines, or the JSON "
        "that CloudWatch Logs keeps either way",
    )

    def smtp_relay(self) -> SmtpRelay | None:
        """The mailbox's SMTP relay, when a host is set."""
        if not self.local_smtp_host:
            return None
        password = self.local_smtp_password.get_secret_value() if self.local_smtp_password else None
        return SmtpRelay(
            self.local_smtp_host,
            self.local_smtp_port,
            self.local_smtp_sender,
            self.local_smtp_starttls,
            self.local_smtp_user,
            password,
        )
