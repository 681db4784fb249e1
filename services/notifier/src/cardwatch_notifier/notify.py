"""The notifier's domain: one fraud verdict → at most one email, or a line in a storm digest.

Order of effects: claim the verdict (conditional), then send, then confirm. A failed send gives
the claim back so the retry can send; a claim that was never confirmed (the process died between
send and confirm) is not resent but handed to a human through the DLQ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from cardwatch_notifier.alert_email import Email, alert_from_verdict, render_alert, render_digest
from cardwatch_notifier.settings import NotifierSettings
from cardwatch_shared.alert_status import DIGEST_PENDING, SENDING, SENT, UNKNOWN
from cardwatch_shared.contracts import FraudAlert, Verdict

CLAIM_TIMEOUT = timedelta(minutes=5)
DIGEST_GRACE_WINDOWS = 1


class Outcome(StrEnum):
    """What became of one verdict."""

    SENT = "sent"
    DIGESTED = "digested"
    DUPLICATE = "duplicate"
    NOT_FRAUD = "not_fraud"
    NEEDS_HUMAN = "needs_human"


class Store(Protocol):
    """What the notifier needs of DynamoDB (see `AlertStore`)."""

    def claim(self, transaction_id: str, now: datetime) -> bool: ...
    def status(self, transaction_id: str) -> tuple[str | None, str | None]: ...
    def release(self, transaction_id: str) -> None: ...
    def set_status(self, transaction_id: str, status: str, now: datetime, channel: str) -> None: ...
    def bump_rate(self, window: datetime) -> int: ...
    def add_to_digest(self, window: datetime, alert: FraudAlert) -> None: ...
    def open_windows(self, before: datetime) -> list[str]: ...
    def claim_window(self, window: str) -> bool: ...
    def release_window(self, window: str) -> None: ...
    def finish_window(self, window: str) -> None: ...
    def digest_alerts(self, window: str) -> list[FraudAlert]: ...


class Publisher(Protocol):
    """Sends one email."""

    def publish(self, email: Email) -> str: ...


class DeadLetterSink(Protocol):
    """Hands a problem to a human."""

    def send(self, reason: str, detail: dict[str, Any]) -> None: ...


@dataclass
class Notifier:
    """Alerts for fraud verdicts, exactly one email each, digests under storms."""

    settings: NotifierSettings
    store: Store
    publisher: Publisher
    dead_letters: DeadLetterSink
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def window_of(self, moment: datetime) -> datetime:
        """Start of the storm window `moment` falls in."""
        seconds = self.settings.storm_window_s
        start = int(moment.timestamp()) // seconds * seconds
        return datetime.fromtimestamp(start, UTC)

    def handle(self, verdict: Verdict) -> Outcome:
        """Alert for one verdict (a replay of an alerted verdict does nothing)."""
        if not verdict.is_fraud:
            return Outcome.NOT_FRAUD
        now = self.now()
        tx = verdict.transaction_id
        if not self.store.claim(tx, now):
            return self._already_claimed(tx, now)
        alert = alert_from_verdict(verdict, self.settings.cli_name)
        window = self.window_of(now)
        if self.store.bump_rate(window) > self.settings.storm_threshold:
            self.store.add_to_digest(window, alert)
            self.store.set_status(tx, DIGEST_PENDING, now, "digest")
            return Outcome.DIGESTED
        try:
            self.publisher.publish(render_alert(alert, self.settings.admin_timezone))
        except Exception:
            self.store.release(tx)
            raise
        self.store.set_status(tx, SENT, self.now(), "email")
        return Outcome.SENT

    def _already_claimed(self, tx: str, now: datetime) -> Outcome:
        status, claimed_at = self.store.status(tx)
        stuck = (
            status == SENDING
            and claimed_at is not None
            and now - datetime.fromisoformat(claimed_at) > CLAIM_TIMEOUT
        )
        if not stuck:
            return Outcome.DUPLICATE
        self.dead_letters.send(
            "alert claimed but never confirmed: it may or may not have been emailed",
            {"transaction_id": tx, "claimed_at": claimed_at},
        )
        self.store.set_status(tx, UNKNOWN, now, "dlq")
        return Outcome.NEEDS_HUMAN

    def flush_digests(self) -> int:
        """Send the digest of every closed window; the number of digests sent."""
        closed_before = self.window_of(self.now()) - timedelta(
            seconds=self.settings.storm_window_s * DIGEST_GRACE_WINDOWS
        )
        sent = 0
        for window in self.store.open_windows(before=closed_before):
            if not self.store.claim_window(window):
                continue
            alerts = self.store.digest_alerts(window)
            start = datetime.fromisoformat(window)
            try:
                self.publisher.publish(render_digest(alerts, start, self.settings.admin_timezone))
            except Exception:
                self.store.release_window(window)
                raise
            for alert in alerts:
                self.store.set_status(alert.transaction_id, SENT, self.now(), "digest")
            self.store.finish_window(window)
            sent += 1
        return sent
