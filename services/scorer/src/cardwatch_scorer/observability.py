"""Logger, Metrics and Tracer of the scorer service (one instance per container)."""

from __future__ import annotations

from cardwatch_shared.observability import get_logger, get_metrics, get_tracer

SERVICE = "scorer"
logger = get_logger(SERVICE)
metrics = get_metrics(SERVICE)
tracer = get_tracer(SERVICE)
