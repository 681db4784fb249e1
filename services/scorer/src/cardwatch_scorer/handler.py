"""Scorer Lambda entry point: a Kinesis batch → verdicts, with `batchItemFailures`.

The batch is scored as a whole first (one frame, one BatchGetItem round, one predict_proba);
Powertools' BatchProcessor then reports the records that failed, so Lambda resumes at the lowest
failed sequence number and the idempotent writes absorb the replay.
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from cardwatch_scorer import batch_log, init_pause
from cardwatch_scorer.batch import BatchOutcome, process_batch
from cardwatch_scorer.gc_pause import gc_paused
from cardwatch_scorer.model_cache import ModelCache
from cardwatch_scorer.observability import logger, metrics, tracer
from cardwatch_scorer.rules_cache import RulesCache
from cardwatch_scorer.settings import ScorerSettings
from cardwatch_scorer.state_store import StateStore
from cardwatch_shared.aws_clients import client
from cardwatch_shared.aws_wire import wire_client
from cardwatch_shared.rule_registry import RuleRegistry

processor = BatchProcessor(event_type=EventType.KinesisDataStreams)


class RecordFailedError(RuntimeError):
    """Marks one record of the batch as failed, with its reason."""


@cache
def runtime() -> tuple[ScorerSettings, StateStore, ModelCache, RulesCache]:
    """Settings, the state store, the model and rules caches: built once per container."""
    settings = ScorerSettings()
    store = StateStore(
        wire_client("dynamodb", settings),
        settings.verdicts_table,
        settings.state_table,
        in_flight=settings.write_concurrency,
        review_score_min=settings.review_score_min,
    )
    models = ModelCache(
        client("s3", settings),
        settings.models_bucket,
        settings.model_refresh_s,
        on_refused=lambda why: logger.error(
            "model refused, keeping the current one", extra={"reason": why}
        ),
        on_loaded=lambda live: logger.info(
            "model loaded",
            extra={"model_version": live.manifest.version, "prediction": live.prediction},
        ),
    )
    rules = RulesCache(
        RuleRegistry(client("s3", settings), settings.models_bucket),
        settings.rules_refresh_s,
        on_refused=lambda why: logger.error(
            "rule set refused, keeping the current one", extra={"reason": why}
        ),
    )
    return settings, store, models, rules


def _record_metrics(
    outcome: BatchOutcome, records: int, seconds: float, drift_min_scores: int
) -> None:
    metrics.add_metric(name="RecordsReceived", unit=MetricUnit.Count, value=records)
    metrics.add_metric(
        name="VerdictsWritten", unit=MetricUnit.Count, value=outcome.verdicts_written
    )
    metrics.add_metric(name="FraudsFlagged", unit=MetricUnit.Count, value=outcome.frauds)
    metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=len(outcome.failures))
    metrics.add_metric(name="BatchLatency", unit=MetricUnit.Milliseconds, value=seconds * 1000)
    if outcome.model_version:
        metrics.add_metadata(key="model_version", value=outcome.model_version)
    if outcome.drift_psi is not None and outcome.scores_today >= drift_min_scores:
        metrics.add_metric(name="ScoreDriftPSI", unit=MetricUnit.NoUnit, value=outcome.drift_psi)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Kinesis batch → verdicts; the failed records in `batchItemFailures`.

    The cyclic collector is paused for the invocation and resumed once `_handle` has returned,
    when the batch's objects are freed already (resumed earlier, it would traverse them all).
    The first invocation also ends init's pause (`init_pause`)."""
    try:
        with gc_paused():
            return _handle(event, context)
    finally:
        init_pause.end()


def _handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings, store, models, rules = runtime()
    started = time.perf_counter()
    records = event.get("Records", [])
    batch_log.start(records)
    try:
        outcome = process_batch(records, store, models, settings.applied_ids_kept, rules=rules)
    except Exception:
        logger.exception("batch failed; Lambda delivers it again", extra={"records": len(records)})
        raise
    seconds = time.perf_counter() - started
    _record_metrics(outcome, len(records), seconds, settings.drift_min_scores)
    batch_log.report(outcome, records, seconds)

    def record_handler(record: KinesisStreamRecord) -> None:
        reason = outcome.failures.get(record.kinesis.sequence_number)
        if reason:
            raise RecordFailedError(reason)

    return dict(
        process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    )
