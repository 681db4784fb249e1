"""Where a fraud verdict's alert stands, as the notifier records it on the verdict item
(`alert_status`); read by the demo, the terminal app and the tests."""

from __future__ import annotations

SENDING = "sending"  # claimed by the notifier, email not confirmed yet
SENT = "sent"  # mailed, alone or in a storm digest
DIGEST_PENDING = "digest_pending"  # held for the storm digest of its window
UNKNOWN = "unknown"  # claimed but never confirmed: handed to a human through the DLQ
