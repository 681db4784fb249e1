"""Labels Lambda entry point: EventBridge "Object Created" under `labels/` → `ingest_labels`.

A separate function from ingest, with its own role: it reads labels files and writes labels and
the fraud counts of terminals and cards, and never sees a card number. Redelivery is harmless:
the label store counts each label once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from cardwatch_ingest.labels_file import LabelsContext, ingest_labels
from cardwatch_ingest.labels_settings import LabelsSettings
from cardwatch_ingest.observability import logger, metrics, tracer
from cardwatch_ingest.store import UploadStore
from cardwatch_ingest.upload import Upload
from cardwatch_shared.aws_clients import client
from cardwatch_shared.label_store import LabelStore


@dataclass(frozen=True)
class LabelsRuntime:
    """What one container builds once."""

    settings: LabelsSettings
    store: UploadStore
    labels: LabelStore


@cache
def runtime() -> LabelsRuntime:
    """Validate settings and build adapters at cold start; cached for warm invocations."""
    settings = LabelsSettings()
    labels = LabelStore(
        client("dynamodb", settings),
        settings.labels_table,
        settings.state_table,
        settings.verdicts_table,
    )
    return LabelsRuntime(settings, UploadStore(client("s3", settings)), labels)


def _record_metrics(context: LabelsContext, rejected: int) -> None:
    metrics.add_metric(name="LabelFilesProcessed", unit=MetricUnit.Count, value=1)
    for outcome, count in context.outcomes.items():
        metrics.add_metric(name=f"Labels_{outcome.value}", unit=MetricUnit.Count, value=count)
    metrics.add_metric(name="LabelRowsRejected", unit=MetricUnit.Count, value=rejected)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any] | None:  # noqa: ARG001
    """EventBridge S3 "Object Created" event → the labels file's IngestReport (as a dict)."""
    state = runtime()
    upload = Upload.from_event_detail(EventBridgeEvent(event).detail)
    settings = state.settings
    if upload.key.startswith(settings.labels_refused_prefix):
        logger.info("a refused labels file set aside, not a new one", extra={"key": upload.key})
        return None
    if not upload.key.startswith(settings.labels_prefix):
        logger.warning("object outside the labels prefix ignored", extra={"key": upload.key})
        return None
    logger.thread_safe_append_keys(upload_id=upload.upload_id)
    labels_context = LabelsContext(
        settings=settings,
        store=state.store,
        sink=state.labels,
        open_bytes=lambda: state.store.open(upload),
    )
    report = ingest_labels(upload, labels_context)
    _record_metrics(labels_context, report.rows_rejected)
    logger.info("labels report", extra={"report": report.model_dump(mode="json")})
    return report.model_dump(mode="json")
