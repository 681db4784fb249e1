"""Writes the example alert and digest emails under `examples/` from the sample verdict.

`make examples` runs it; a test checks the committed files still match the renderer.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta

from cardwatch_notifier.alert_email import Email, alert_from_verdict, render_alert, render_digest
from cardwatch_shared.contracts import Verdict
from cardwatch_shared.schema_registry import CONTRACTS_DIR

EXAMPLES_DIR = CONTRACTS_DIR.parents[1] / "examples"
ZONE = "Europe/Paris"


def _sample(index: int) -> Verdict:
    body = json.loads((CONTRACTS_DIR / "examples" / "verdict.json").read_text(encoding="utf-8"))
    body["transaction_id"] = f"tx-{2 + index:04d}"
    body["last4"] = f"{4444 - index * 1111:04d}"
    moment = datetime.fromisoformat(body["event_time"]) + timedelta(seconds=7 * index)
    body["event_time"] = moment.isoformat()
    return Verdict.model_validate(body)


def example_emails() -> dict[str, Email]:
    """The single alert and a three-alert digest, as the admin receives them."""
    alerts = [alert_from_verdict(_sample(i), "cardwatch") for i in range(3)]
    window = datetime(2026, 11, 20, 10, 2, tzinfo=UTC)
    return {
        "alert-email.txt": render_alert(alerts[0], ZONE),
        "digest-email.txt": render_digest(alerts, window, ZONE),
    }


def as_text(email: Email) -> str:
    """The email as a file: subject line, blank line, body."""
    return f"Subject: {email.subject}\n\n{email.body}"


def main() -> int:
    """Write the examples."""
    for name, email in example_emails().items():
        path = EXAMPLES_DIR / name
        path.write_text(as_text(email), encoding="utf-8")
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
