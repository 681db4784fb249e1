"""What the scorer logs of a batch: its id, the transaction a failed record names, and a line per
new verdict only when DEBUG is on."""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from cardwatch_scorer import batch_log
from cardwatch_scorer.batch import BatchOutcome
from cardwatch_scorer.observability import logger
from cardwatch_scorer.verdict_record import VerdictRecord, verdict_record
from cardwatch_shared.contracts import Decision, ReasonCode
from cardwatch_shared.verdict_item import Judgement, VerdictStamp
from tests.support.log_capture import log_lines
from tests.support.transactions import transaction

pytestmark = pytest.mark.unit


def record(data: bytes, sequence: str, event_id: str | None = None) -> dict[str, Any]:
    kinesis = {"sequenceNumber": sequence, "data": base64.b64encode(data).decode()}
    return {"kinesis": kinesis} | ({"eventID": event_id} if event_id else {})


def test_a_batch_is_named_by_its_shard_and_sequence_span() -> None:
    records = [record(b"{}", s, f"shardId-000000000007:{s}") for s in ("41", "42", "49")]
    assert batch_log.batch_id(records) == "shardId-000000000007:41-49"
    assert batch_log.batch_id([record(b"{}", "5")]) == "5-5"
    assert batch_log.batch_id([]) == ""


@pytest.mark.parametrize(
    ("data", "claimed"),
    [
        (b'{"transaction_id": "tx-9", "amount": "-1"}', "tx-9"),
        (b'{"amount": "-1"}', None),
        (b'{"transaction_id": 9}', None),
        (b'{"transaction_id": ""}', None),
        (b'{"transaction_id": "' + b"x" * 65 + b'"}', None),
        (b'["transaction_id"]', None),
        (b"not json", None),
    ],
)
def test_a_failed_record_names_the_transaction_it_claims(data: bytes, claimed: str | None) -> None:
    assert batch_log.claimed_transaction_id(record(data, "1")) == claimed


def test_data_that_is_not_base64_claims_nothing() -> None:
    assert batch_log.claimed_transaction_id({"kinesis": {"data": "***"}}) is None
    assert batch_log.claimed_transaction_id({"kinesis": {}}) is None


def verdict(index: int, score: float, decision: Decision) -> VerdictRecord:
    reasons = [ReasonCode(code="high_amount", text="high amount (950.00)")]
    judged = Judgement(score, decision, reasons, [])
    return verdict_record(transaction(index), judged, "{}", VerdictStamp(0.5, "m1", None, NOW))


NOW = datetime(2026, 12, 5, tzinfo=UTC)


@pytest.fixture
def outcome() -> BatchOutcome:
    written = [verdict(0, 0.1, Decision.ALLOW), verdict(1, 0.9, Decision.BLOCK)]
    return BatchOutcome(written=written, model_version="m1")


@pytest.fixture
def debug() -> Iterator[None]:
    level = logger.log_level
    logger.setLevel(logging.DEBUG)
    yield
    logger.setLevel(level)


def messages(lines: list[dict[str, Any]]) -> list[str]:
    return [line["message"] for line in lines]


def test_only_frauds_get_a_line_at_info(outcome: BatchOutcome) -> None:
    with log_lines(logger) as taken:
        batch_log.report(outcome, [], 0.01)
        lines = taken()
    assert messages(lines) == ["fraud flagged", "batch scored"]
    assert lines[0]["transaction_id"] == "tx-00001"
    assert lines[0]["score"] == 0.9
    assert lines[0]["reasons"] == ["high_amount"]
    assert (lines[1]["verdicts"], lines[1]["frauds"]) == (2, 1)
    assert not any("card_token" in line or "last4" in line for line in lines)


@pytest.mark.usefixtures("debug")
def test_every_new_verdict_gets_a_line_at_debug(outcome: BatchOutcome) -> None:
    with log_lines(logger) as taken:
        batch_log.report(outcome, [], 0.01)
        lines = taken()
    written = ["verdict written"] * 2
    assert messages(lines) == ["fraud flagged", *written, "batch scored"]
    assert [line["transaction_id"] for line in lines[1:3]] == ["tx-00000", "tx-00001"]


def test_concurrent_invocations_each_log_their_own_batch_id() -> None:
    """The local runtime runs a stream's shards in threads of one process (on Lambda each has an
    execution environment): a batch's id stays on its own thread's lines."""
    first = [record(b"{}", s, f"shardId-000000000000:{s}") for s in ("1", "2")]
    second = [record(b"{}", s, f"shardId-000000000001:{s}") for s in ("7", "9")]
    started, named = threading.Event(), threading.Event()

    def other_shard() -> None:
        assert started.wait(5)
        batch_log.start(second)
        logger.info("other shard's line")
        named.set()

    other = threading.Thread(target=other_shard)
    with log_lines(logger) as taken:
        other.start()
        batch_log.start(first)
        started.set()
        assert named.wait(5)
        logger.info("first shard's line")
        other.join(5)
        lines = {line["message"]: line["batch_id"] for line in taken()}
    logger.thread_safe_clear_keys()
    assert lines == {
        "other shard's line": "shardId-000000000001:7-9",
        "first shard's line": "shardId-000000000000:1-2",
    }
