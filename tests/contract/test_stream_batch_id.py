"""A dead letter leads to its log lines: the batch an on-failure record names (as the local event
source mapping writes it, in Lambda's shape) is the `batch_id` the scorer logged for it."""

from __future__ import annotations

from typing import Any

import pytest

from cardwatch_local import dead_letters
from cardwatch_scorer import batch_log
from kinesis_consumer.esm import MappingSettings, on_failure_message

pytestmark = pytest.mark.contract

SHARD = "shardId-000000000003"
ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/cw-tx"


def lambda_record(sequence: str) -> dict[str, Any]:
    kinesis = {"sequenceNumber": sequence, "data": "e30=", "partitionKey": "k",
               "approximateArrivalTimestamp": 1_796_500_000.0}  # fmt: skip
    return {"eventID": f"{SHARD}:{sequence}", "eventSourceARN": ARN, "kinesis": kinesis}


def test_the_dead_letter_names_the_batch_the_scorer_logged() -> None:
    batch = [lambda_record(f"4959{n:052d}") for n in (7, 8, 12)]
    message = on_failure_message(
        batch, SHARD, ARN, MappingSettings(), condition="RetryAttemptsExhausted", attempts=4
    )
    named = dead_letters.batch_id(message)
    assert named == batch_log.batch_id(batch)
    assert named == f"{SHARD}:{batch[0]['kinesis']['sequenceNumber']}-4959{12:052d}"


def test_other_dead_letters_name_no_batch() -> None:
    assert dead_letters.batch_id({"reason": "invalid verdict"}) is None
    assert dead_letters.batch_id({"requestContext": {"condition": "EventAgeExceeded"}}) is None
    notifier = {"DDBStreamBatchInfo": {"shardId": "s", "startSequenceNumber": "1",
                                       "endSequenceNumber": "2"}}  # fmt: skip
    assert dead_letters.batch_id(notifier) is None
