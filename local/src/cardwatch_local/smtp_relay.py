"""Relay of the local mailbox to a real SMTP server (`CARDWATCH_LOCAL_SMTP_HOST`), so alert
emails can reach an inbox during a demo. The `.eml` file is written first and stays whatever
happens; a mail the server refused or could not take waits in `mailbox/unrelayed/` and is
tried again on the next round."""

from __future__ import annotations

import email
import email.policy
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

UNRELAYED = "unrelayed"


@dataclass(frozen=True)
class SmtpRelay:
    """Where and as whom to send."""

    host: str
    port: int = 25
    sender: str = "cardwatch@localhost"
    starttls: bool = False
    user: str | None = None
    password: str | None = None
    timeout_s: float = 10.0

    def send(self, eml: str) -> None:
        """Send one email (its To header names the recipients); raises on any SMTP failure."""
        parsed = email.message_from_bytes(eml.encode("utf-8"), policy=email.policy.default)
        message = EmailMessage()
        for header in ("To", "Subject"):
            message[header] = parsed[header] or ""
        message["From"] = parsed["From"] or self.sender
        body = parsed.get_body()
        message.set_content(body.get_content() if body else "")  # utf-8, transfer-encoded
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as server:
            if self.starttls:
                server.starttls()
            if self.user and self.password:
                server.login(self.user, self.password)
            server.send_message(message, from_addr=self.sender)


def relay_folder(relay: SmtpRelay, mailbox: Path, names: list[str]) -> tuple[int, list[str]]:
    """Relay the mailbox's `names` and everything still waiting in `unrelayed/`.

    Returns (sent, errors). A mail that fails stays in `unrelayed/` for the next round."""
    waiting = mailbox / UNRELAYED
    waiting.mkdir(parents=True, exist_ok=True)
    for name in names:
        (waiting / name).write_text((mailbox / name).read_text(encoding="utf-8"), encoding="utf-8")
    sent, errors = 0, []
    for path in sorted(waiting.glob("*.eml")):
        try:
            relay.send(path.read_text(encoding="utf-8"))
        except smtplib.SMTPException as exc:  # this mail refused: the others may pass
            errors.append(f"{path.name}: {exc}")
            continue
        except OSError as exc:  # the server is out of reach: try the whole queue next round
            errors.append(f"{relay.host}:{relay.port} unreachable: {exc}")
            break
        path.unlink()
        sent += 1
    return sent, errors
