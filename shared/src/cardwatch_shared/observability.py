"""Powertools Logger, Metrics and Tracer with one service name each and card-number scrubbing.

Every log line passes through the scrubber before it is written: a card number that slipped into
a message or an extra field leaves the process masked.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import PowertoolsLogRecord

from cardwatch_shared.scrubber import scrub

METRICS_NAMESPACE = "cardwatch"


class ScrubbingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter, with every string value scrubbed of card numbers."""

    def serialize(self, log: dict[str, Any] | PowertoolsLogRecord) -> str:
        """Scrub the record, then serialise it as Powertools would."""
        return json.dumps(scrub(log), default=str, separators=(",", ":"), ensure_ascii=False)


def get_logger(service: str, **kwargs: Any) -> Logger:
    """A JSON logger for `service` (POWERTOOLS_LOG_LEVEL sets the level)."""
    return Logger(service=service, logger_formatter=ScrubbingFormatter(), **kwargs)


def get_metrics(service: str, namespace: str = METRICS_NAMESPACE) -> Metrics:
    """EMF metrics for `service` in the cardwatch namespace."""
    return Metrics(service=service, namespace=namespace)


def get_tracer(service: str) -> Tracer:
    """An X-Ray tracer for `service` (POWERTOOLS_TRACE_DISABLED=true turns it off locally)."""
    return Tracer(service=service)
