"""Renders alerts as plain-text email: one per fraud, or one digest per storm window.

What a busy admin needs to act, and nothing that identifies the card beyond its last four digits.
SNS subjects must be ASCII and under 100 characters.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from cardwatch_shared.card_number import mask
from cardwatch_shared.contracts import FraudAlert, Verdict

SUBJECT_LIMIT = 99


@dataclass(frozen=True)
class Email:
    """Subject and plain-text body."""

    subject: str
    body: str


def ascii_subject(text: str) -> str:
    """`text` made safe for an SNS subject: ASCII, one line, short."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    plain = " ".join(plain.split())
    return plain if len(plain) <= SUBJECT_LIMIT else plain[: SUBJECT_LIMIT - 3] + "..."


def alert_from_verdict(verdict: Verdict, cli_name: str) -> FraudAlert:
    """The alert content of a fraud verdict."""
    tx = verdict.transaction_id
    return FraudAlert(
        transaction_id=tx,
        masked_card=mask(verdict.last4),
        amount=verdict.amount,
        currency=verdict.currency,
        merchant_id=verdict.merchant_id,
        merchant_name=verdict.merchant_name,
        event_time=verdict.event_time,
        score=verdict.score,
        threshold=verdict.threshold,
        reasons=[reason.text for reason in verdict.reason_codes],
        model_version=verdict.model_version,
        inspect_command=f"{cli_name} verdict show {tx}",
        label_command=f"{cli_name} label {tx} fraud   (or: {cli_name} label {tx} legit)",
    )


def _times(moment: datetime, zone: str) -> str:
    utc = moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    if zone == "UTC":
        return utc
    local = moment.astimezone(ZoneInfo(zone))
    return f"{utc} ({local.strftime('%Y-%m-%d %H:%M:%S %Z')}, {zone})"


def _amount(alert: FraudAlert) -> str:
    return f"{alert.amount:,} {alert.currency}"


def render_alert(alert: FraudAlert, zone: str) -> Email:
    """One fraud, one email."""
    subject = ascii_subject(
        f"cardwatch fraud alert: {_amount(alert)} at {alert.merchant_name} "
        f"(score {alert.score:.2f})"
    )
    reasons = "\n".join(f"  - {text}" for text in alert.reasons) or "  - (no reason recorded)"
    body = (
        f"cardwatch flagged a transaction as fraud.\n\n"
        f"Transaction: {alert.transaction_id}\n"
        f"Card:        {alert.masked_card}\n"
        f"Amount:      {_amount(alert)}\n"
        f"Merchant:    {alert.merchant_name} ({alert.merchant_id})\n"
        f"Time:        {_times(alert.event_time, zone)}\n"
        f"Score:       {alert.score:.3f} (threshold {alert.threshold:.3f})\n"
        f"Model:       {alert.model_version}\n"
        f"Why:\n{reasons}\n\n"
        f"Inspect:     {alert.inspect_command}\n"
        f"Label:       {alert.label_command}\n"
    )
    return Email(subject, body)


def render_digest(alerts: list[FraudAlert], window_start: datetime, zone: str) -> Email:
    """Many frauds in one storm window, one email listing each of them."""
    ordered = sorted(alerts, key=lambda a: (a.event_time, a.transaction_id))
    subject = ascii_subject(
        f"cardwatch fraud digest: {len(ordered)} alerts in the minute from "
        f"{window_start.strftime('%H:%M UTC')}"
    )
    lines = [
        f"{len(ordered)} transactions were flagged as fraud in the window starting "
        f"{_times(window_start, zone)}; alerts were folded into this digest to keep your inbox "
        "usable.\n",
    ]
    for alert in ordered:
        reasons = "; ".join(alert.reasons) or "no reason recorded"
        lines.append(
            f"- {alert.transaction_id}  {alert.masked_card}  {_amount(alert)}  "
            f"{alert.merchant_name}  {alert.event_time.strftime('%H:%M:%S UTC')}  "
            f"score {alert.score:.2f}  ({reasons})\n"
            f"    inspect: {alert.inspect_command}"
        )
    return Email(subject, "\n".join(lines) + "\n")
