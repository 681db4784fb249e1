"""Notifier Lambda entry points.

`lambda_handler`: the Verdicts table's stream (filtered to new fraud verdicts by the template),
through Powertools' BatchProcessor with partial failures. `digest_handler`: a schedule that sends
the storm digests of closed windows (the stream handler also sends them after each batch).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from cardwatch_notifier.alert_store import AlertStore
from cardwatch_notifier.notify import Notifier, Outcome
from cardwatch_notifier.observability import logger, metrics, tracer
from cardwatch_notifier.publisher import AlertPublisher, DeadLetters
from cardwatch_notifier.settings import NotifierSettings
from cardwatch_shared.aws_clients import client
from cardwatch_shared.verdict_item import from_item

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
OUTCOME_METRICS = {
    Outcome.SENT: "AlertsSent",
    Outcome.DIGESTED: "AlertsDigested",
    Outcome.DUPLICATE: "SuppressedDuplicates",
    Outcome.NEEDS_HUMAN: "AlertsToDlq",
}


@cache
def notifier() -> Notifier:
    """Settings validated and adapters built once per container."""
    settings = NotifierSettings()
    dynamodb = client("dynamodb", settings)
    return Notifier(
        settings=settings,
        store=AlertStore(dynamodb, settings.verdicts_table, settings.alerts_table),
        publisher=AlertPublisher(client("sns", settings), settings.alerts_topic_arn),
        dead_letters=DeadLetters(client("sqs", settings), settings.notifier_dlq_url),
    )


def record_handler(record: DynamoDBRecord) -> None:
    """One stream record: a new verdict (anything else is ignored)."""
    if record.event_name != DynamoDBRecordEventName.INSERT or record.dynamodb is None:
        return
    image = record.dynamodb.new_image
    try:
        verdict = from_item(image)
    except ValidationError as exc:
        tx = str(image.get("transaction_id", "?"))
        reason = f"verdict does not match the contract: {exc.error_count()} error(s)"
        notifier().dead_letters.send(reason, {"transaction_id": tx, "errors": exc.errors(
            include_input=False, include_url=False)})  # fmt: skip
        logger.error("invalid verdict sent to the DLQ", extra={"transaction_id": tx})
        metrics.add_metric(name="InvalidVerdicts", unit=MetricUnit.Count, value=1)
        return
    outcome = notifier().handle(verdict)
    logger.info("verdict handled", extra={"transaction_id": verdict.transaction_id,
                                          "outcome": outcome.value})  # fmt: skip
    if outcome in OUTCOME_METRICS:
        metrics.add_metric(name=OUTCOME_METRICS[outcome], unit=MetricUnit.Count, value=1)


def _flush() -> int:
    sent = notifier().flush_digests()
    if sent:
        metrics.add_metric(name="DigestsSent", unit=MetricUnit.Count, value=sent)
    return sent


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """DynamoDB stream batch → alerts; returns `batchItemFailures` for the records to retry."""
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    _flush()
    return dict(response)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def digest_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Scheduled: send the digests of closed storm windows."""
    return {"digests_sent": _flush()}
