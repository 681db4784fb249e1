"""Powertools Logger, Metrics and Tracer with one service name each and card-number scrubbing.

Every log line passes through the scrubber before it is written: a card number that slipped into
a message or an extra field leaves the process masked.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import PowertoolsLogRecord
from aws_lambda_powertools.metrics.functions import is_metrics_disabled
from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import (
    AmazonCloudWatchEMFProvider,
)

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


class _InvocationSets(threading.local):
    """What one invocation adds before its flush, kept per thread (`ThreadEMFProvider`)."""

    def __init__(self) -> None:
        self.metric_set: dict[str, Any] = {}
        self.dimension_set: dict[str, Any] = {}
        self.metadata_set: dict[str, Any] = {}
        self.dimension_sets: list[dict[str, str]] = []
        self.timestamp: int | None = None


def _per_thread(name: str) -> Any:
    """An attribute of Powertools' provider, kept in the calling thread's `_InvocationSets`."""
    return property(
        lambda self: getattr(self._sets, name),
        lambda self, value: setattr(self._sets, name, value),
    )


class ThreadEMFProvider(AmazonCloudWatchEMFProvider):
    """Powertools' EMF provider for one service, its metric set held per thread.

    Powertools' `Metrics` shares one metric set among all its instances. On Lambda a process runs
    one function, one invocation at a time, so that is the same thing; the local runtime runs the
    three functions in one process, their invocations in threads, where the shared set published
    one service's metrics under another's name. Here each thread, like each Lambda execution
    environment, adds to and flushes its own. With metrics disabled (POWERTOOLS_METRICS_DISABLED)
    nothing is kept or printed: Powertools would keep adding, and print the set when a metric
    reached 100 values (and the cold start) regardless."""

    def __init__(self, service: str, namespace: str) -> None:
        self._sets = _InvocationSets()
        super().__init__(service=service, namespace=namespace)

    metric_set = _per_thread("metric_set")
    metadata_set = _per_thread("metadata_set")
    dimension_sets = _per_thread("dimension_sets")
    timestamp = _per_thread("timestamp")

    @property
    def dimension_set(self) -> dict[str, Any]:
        """This thread's dimensions, starting from the provider's defaults."""
        sets = self._sets
        if not sets.dimension_set and getattr(self, "default_dimensions", None):
            sets.dimension_set.update({k: str(v) for k, v in self.default_dimensions.items()})
        return sets.dimension_set

    @dimension_set.setter
    def dimension_set(self, value: dict[str, Any]) -> None:
        self._sets.dimension_set = value

    def add_metric(self, *args: Any, **kwargs: Any) -> None:
        """Powertools' `add_metric`; nothing when metrics are disabled."""
        if not is_metrics_disabled():
            super().add_metric(*args, **kwargs)

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        """Powertools' `flush_metrics`, without its warning for an invocation that added no
        metrics (an ignored upload adds none: the warning was a stray non-JSON line in its
        logs), whose metadata is then dropped, not left for the next; nothing when disabled."""
        if is_metrics_disabled():
            return
        if not (self.metric_set or raise_on_empty_metrics):
            self.clear_metrics()
            return
        super().flush_metrics(raise_on_empty_metrics=raise_on_empty_metrics)

    def add_cold_start_metric(self, context: Any) -> None:
        """Powertools' cold-start metric; nothing when disabled."""
        if not is_metrics_disabled():
            super().add_cold_start_metric(context)


def get_metrics(service: str, namespace: str = METRICS_NAMESPACE) -> Metrics:
    """EMF metrics for `service` in the cardwatch namespace, its own set per thread."""
    provider = ThreadEMFProvider(service=service, namespace=namespace)
    return Metrics(service=service, namespace=namespace, provider=provider)


def get_tracer(service: str) -> Tracer:
    """An X-Ray tracer for `service` (POWERTOOLS_TRACE_DISABLED=true turns it off locally)."""
    return Tracer(service=service)
