"""Ingest Lambda entry point: EventBridge "Object Created" → `ingest_upload` → report.

Thin by design: parse the event, build the adapters once per container, call the domain, emit
metrics. Idempotent per object version through Powertools idempotency (DynamoDB).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from cardwatch_ingest.ingest_file import IngestContext, IngestOutcome, ingest_upload
from cardwatch_ingest.kinesis_writer import KinesisWriter, WriterLimits
from cardwatch_ingest.observability import logger, metrics, tracer
from cardwatch_ingest.settings import IngestSettings
from cardwatch_ingest.store import UploadStore
from cardwatch_ingest.upload import Upload
from cardwatch_shared.aws_clients import client
from cardwatch_shared.aws_wire import wire_client
from cardwatch_shared.hmac_key import load_hmac_key

IDEMPOTENCY_TTL_S = 7 * 24 * 3600


@dataclass
class Runtime:
    """What one container builds once: settings, clients, key, the idempotent processor."""

    settings: IngestSettings
    store: UploadStore
    kinesis: Any
    hmac_key: bytes
    config: IdempotencyConfig
    process: Any


@cache
def runtime() -> Runtime:
    """Validate settings and build adapters at cold start; cached for warm invocations."""
    settings = IngestSettings()
    key = load_hmac_key(
        settings, ssm=client("ssm", settings), secrets_manager=client("secretsmanager", settings)
    )
    config = IdempotencyConfig(expires_after_seconds=IDEMPOTENCY_TTL_S)
    persistence = DynamoDBPersistenceLayer(
        table_name=settings.idempotency_table, boto3_client=client("dynamodb", settings)
    )
    state = Runtime(
        settings,
        UploadStore(client("s3", settings)),
        wire_client("kinesis", settings),
        key,
        config,
        None,
    )

    def process(upload: Upload, remaining_ms: Any) -> dict[str, Any]:
        return _ingest(state, upload, remaining_ms).report.model_dump(mode="json")

    state.process = idempotent_function(
        process, data_keyword_argument="upload", persistence_store=persistence, config=config
    )
    return state


def _ingest(state: Runtime, upload: Upload, remaining_ms: Any) -> IngestOutcome:
    settings = state.settings
    writer = KinesisWriter(
        state.kinesis.put_records,
        settings.stream_name,
        remaining_ms,
        WriterLimits(
            max_records=settings.put_max_records,
            max_bytes=settings.put_max_bytes,
            backoff_base_s=settings.put_backoff_base_s,
            backoff_cap_s=settings.put_backoff_cap_s,
            time_margin_ms=settings.time_margin_ms,
        ),
    )
    context = IngestContext(
        settings=settings,
        hmac_key=state.hmac_key,
        store=state.store,
        writer=writer,
        open_bytes=lambda: state.store.open(upload),
    )
    outcome = ingest_upload(upload, context)
    _record_metrics(outcome)
    return outcome


def _record_metrics(outcome: IngestOutcome) -> None:
    report, stats = outcome.report, outcome.put_stats
    metrics.add_metric(name="FilesProcessed", unit=MetricUnit.Count, value=1)
    if report.file_error:
        metrics.add_metric(name="FilesRejected", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="RowsAccepted", unit=MetricUnit.Count, value=report.rows_accepted)
    metrics.add_metric(name="RowsRejected", unit=MetricUnit.Count, value=report.rows_rejected)
    metrics.add_metric(name="PutRecordsRetries", unit=MetricUnit.Count, value=stats.records_retried)
    duration_ms = (report.finished_at - report.started_at).total_seconds() * 1000
    metrics.add_metric(name="FileDuration", unit=MetricUnit.Milliseconds, value=duration_ms)
    logger.info("ingest report", extra={"report": report.model_dump(mode="json")})
    for reason, rows in report.rejects_by_reason.items():
        logger.info("rows rejected", extra={"key": report.key, "reason": reason, "rows": rows})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any] | None:
    """EventBridge S3 "Object Created" event → the file's IngestReport (as a dict)."""
    state = runtime()
    state.config.register_lambda_context(context)
    upload = Upload.from_event_detail(EventBridgeEvent(event).detail)
    settings = state.settings
    if upload.key.startswith(settings.refused_prefix):
        logger.info("a refused upload set aside, not a new one", extra={"key": upload.key})
        return None
    if not upload.key.startswith(settings.incoming_prefix):
        logger.warning("object outside the incoming prefix ignored", extra={"key": upload.key})
        return None
    logger.thread_safe_append_keys(upload_id=upload.upload_id)
    report: dict[str, Any] = state.process(
        upload=upload, remaining_ms=context.get_remaining_time_in_millis
    )
    return report
