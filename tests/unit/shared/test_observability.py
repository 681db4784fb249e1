"""Log lines are JSON with the service name and never carry a card number."""

from __future__ import annotations

import io
import json

import pytest

from cardwatch_shared.observability import get_logger
from tests.support.cards import TEST_PANS

pytestmark = pytest.mark.unit


def test_logger_scrubs_messages_and_extras() -> None:
    stream = io.StringIO()
    logger = get_logger("cardwatch-test", stream=stream)
    logger.set_correlation_id("req-1")
    logger.info(f"card {TEST_PANS[0]} seen", extra={"detail": {"pan": TEST_PANS[1]}})
    line = json.loads(stream.getvalue())
    assert line["service"] == "cardwatch-test"
    assert line["correlation_id"] == "req-1"
    assert line["message"] == "card •••• 1111 seen"
    assert line["detail"] == {"pan": "•••• 4444"}
    assert all(pan not in stream.getvalue() for pan in TEST_PANS)
