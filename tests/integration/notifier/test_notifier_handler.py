"""The notifier against moto: stream → handler → SNS (an SQS queue stands in for the mailbox)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from cardwatch_notifier import handler
from cardwatch_shared.verdict_item import to_item
from kinesis_consumer.esm import LambdaContext
from tests.integration.notifier.conftest import NotifierStack
from tests.support.leaks import assert_clean
from tests.support.verdicts import sample_verdict

pytestmark = pytest.mark.integration
TX = re.compile(r"tx-\d{5}")


def test_one_email_per_fraud_none_for_legit(notifier_stack: NotifierStack) -> None:
    event = notifier_stack.put_verdicts(
        [sample_verdict(1), sample_verdict(2, is_fraud=False, decision="allow"), sample_verdict(3)]
    )
    assert notifier_stack.invoke(event) == {"batchItemFailures": []}
    emails = notifier_stack.emails()
    assert sorted(tx for e in emails for tx in set(TX.findall(e["body"]))) == [
        "tx-00001",
        "tx-00003",
    ]
    email = next(e for e in emails if "tx-00001" in e["body"])
    assert (
        email["subject"] == "cardwatch fraud alert: 1,299.00 EUR at ElectroShop Online (score 0.93)"
    )
    assert "Card:        •••• 0001" in email["body"]
    assert "2026-11-20 10:02:12 UTC (2026-11-20 11:02:12 CET, Europe/Paris)" in email["body"]
    assert "cardwatch verdict show tx-00001" in email["body"]
    assert "amount 6.2× this card's 30-day average" in email["body"]
    assert notifier_stack.verdict_item("tx-00001")["alert_status"] == "sent"
    assert "alert_status" not in notifier_stack.verdict_item("tx-00002")
    for e in emails:
        assert_clean(e["subject"] + e["body"], "an alert email")
        assert "3f3f3f" not in e["subject"], "no card token in the subject"


def test_replayed_records_send_nothing_twice(notifier_stack: NotifierStack) -> None:
    event = notifier_stack.put_verdicts([sample_verdict(1), sample_verdict(2)])
    notifier_stack.invoke(event)
    assert len(notifier_stack.emails()) == 2
    notifier_stack.invoke(event)
    notifier_stack.invoke(event)
    assert notifier_stack.emails() == []


def test_a_burst_becomes_a_digest(notifier_stack: NotifierStack) -> None:
    start = datetime(2026, 11, 20, 10, 0, 5, tzinfo=UTC)
    notifier_stack.set_clock(start)
    event = notifier_stack.put_verdicts([sample_verdict(i) for i in range(10)])
    notifier_stack.invoke(event)
    singles = notifier_stack.emails()
    assert len(singles) == 3
    assert notifier_stack.verdict_item("tx-00009")["alert_status"] == "digest_pending"
    notifier_stack.set_clock(start + timedelta(minutes=3))
    assert handler.digest_handler({}, LambdaContext("notifier")) == {"digests_sent": 1}
    [digest] = notifier_stack.emails()
    assert digest["subject"] == "cardwatch fraud digest: 7 alerts in the minute from 10:00 UTC"
    mailed = [tx for e in [*singles, digest] for tx in set(TX.findall(e["body"]))]
    assert sorted(mailed) == [f"tx-{i:05d}" for i in range(10)], "each alert in exactly one email"
    assert notifier_stack.verdict_item("tx-00009")["alert_channel"] == "digest"
    assert handler.digest_handler({}, LambdaContext("notifier")) == {"digests_sent": 0}
    assert_clean(digest["body"], "the digest")


def test_failed_publish_is_retried_and_sent_once(
    notifier_stack: NotifierStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = notifier_stack.put_verdicts([sample_verdict(1)])
    monkeypatch.setenv("CARDWATCH_ALERTS_TOPIC_ARN", notifier_stack.topic_arn + "-missing")
    handler.notifier.cache_clear()
    with pytest.raises(BatchProcessingError, match="All records failed"):
        notifier_stack.invoke(event)  # the whole batch failed: Lambda retries it
    assert "alert_status" not in notifier_stack.verdict_item("tx-00001"), "claim given back"
    monkeypatch.setenv("CARDWATCH_ALERTS_TOPIC_ARN", notifier_stack.topic_arn)
    handler.notifier.cache_clear()
    assert notifier_stack.invoke(event) == {"batchItemFailures": []}
    assert notifier_stack.invoke(event) == {"batchItemFailures": []}
    assert len(notifier_stack.emails()) == 1


def test_unconfirmed_claim_goes_to_the_dlq(notifier_stack: NotifierStack) -> None:
    from cardwatch_shared.aws_clients import resource

    verdict = sample_verdict(4)
    event = notifier_stack.put_verdicts([verdict])
    item = to_item(verdict) | {
        "alert_status": "sending",
        "alert_claimed_at": "2026-11-20T10:00:00+00:00",
    }
    resource("dynamodb").Table("cardwatch-verdicts-test").put_item(Item=item)
    notifier_stack.tap.next_event()
    assert notifier_stack.invoke(event) == {"batchItemFailures": []}
    assert notifier_stack.emails() == []
    [letter] = notifier_stack.dead_letters()
    assert letter["transaction_id"] == "tx-00004"
    assert "may or may not have been emailed" in letter["reason"]
    assert notifier_stack.verdict_item("tx-00004")["alert_status"] == "unknown"


def test_invalid_verdict_goes_to_the_dlq_with_its_reason(notifier_stack: NotifierStack) -> None:
    event = notifier_stack.put_verdicts([sample_verdict(5)])
    del event["Records"][0]["dynamodb"]["NewImage"]["score"]
    assert notifier_stack.invoke(event) == {"batchItemFailures": []}
    [letter] = notifier_stack.dead_letters()
    assert letter["transaction_id"] == "tx-00005"
    assert letter["reason"].startswith("verdict does not match the contract")
    assert notifier_stack.emails() == []
