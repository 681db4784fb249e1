"""What the scorer logs of a batch, so that an operator can follow one transaction or one batch.

Every line of an invocation carries the batch's id: its shard and the span of sequence numbers,
as Lambda's on-failure record names a batch (shard id, first and last sequence number), so a
dead-letter message leads to its log lines. A new fraud verdict gets a line of its own, with its
transaction id, score, decision and reasons; so does a failed record, with its sequence number,
its transaction id when the record has one, and the reason. At DEBUG (`LogLevel`), every new
verdict gets a line. No card token, last four digits or amount: the verdicts table holds them.
"""

from __future__ import annotations

import binascii
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic_core import from_json

from cardwatch_scorer.batch import BatchOutcome
from cardwatch_scorer.observability import logger, tracer
from cardwatch_scorer.verdict_record import VerdictRecord
from cardwatch_shared.stream_batch_id import stream_batch_id

MAX_ID_LENGTH = 64  # a transaction id's limit in the contract


def batch_id(records: Sequence[Mapping[str, Any]]) -> str:
    """The batch's `stream_batch_id` ("" for no records); the shard is read from the first
    record's `eventID` (`<shard id>:<sequence number>`)."""
    if not records:
        return ""
    first, last = records[0], records[-1]
    shard = str(first.get("eventID", "")).partition(":")[0]
    return stream_batch_id(
        shard, first["kinesis"]["sequenceNumber"], last["kinesis"]["sequenceNumber"]
    )


def claimed_transaction_id(record: Mapping[str, Any]) -> str | None:
    """The transaction id a record's payload names, valid or not; None if it names none."""
    try:
        body = from_json(binascii.a2b_base64(record["kinesis"]["data"]))
    except (KeyError, TypeError, ValueError):
        return None
    claimed = body.get("transaction_id") if isinstance(body, dict) else None
    return claimed if isinstance(claimed, str) and 0 < len(claimed) <= MAX_ID_LENGTH else None


def start(records: Sequence[Mapping[str, Any]]) -> None:
    """Name the batch on every line of this invocation, and on its trace."""
    named = batch_id(records)
    logger.thread_safe_append_keys(batch_id=named)
    tracer.put_annotation(key="batch_id", value=named)


def report(outcome: BatchOutcome, records: Sequence[Mapping[str, Any]], seconds: float) -> None:
    """The failed records, the new fraud verdicts (every new verdict at DEBUG), the batch."""
    if outcome.failures:
        _failed_records(outcome.failures, records)
    for record in outcome.written:
        if record.is_fraud:
            logger.info("fraud flagged", extra=verdict_fields(record))
    if logger.log_level <= logging.DEBUG:  # asked once a batch, not once a verdict
        for record in outcome.written:
            logger.debug("verdict written", extra=verdict_fields(record))
    logger.info(
        "batch scored",
        extra={
            "records": len(records),
            "verdicts": outcome.verdicts_written,
            "frauds": outcome.frauds,
            "model_version": outcome.model_version,
            "rule_set_version": outcome.rule_set_version,
            "score_drift_psi": outcome.drift_psi,
            "duration_ms": round(seconds * 1000, 1),
        },
    )


def _failed_records(failures: Mapping[str, str], records: Sequence[Mapping[str, Any]]) -> None:
    by_sequence = {record["kinesis"]["sequenceNumber"]: record for record in records}
    for sequence, reason in failures.items():
        record = by_sequence.get(sequence)
        claimed = claimed_transaction_id(record) if record is not None else None
        logger.warning(
            "record failed",
            extra={"sequence_number": sequence, "transaction_id": claimed, "reason": reason},
        )


def verdict_fields(record: VerdictRecord) -> dict[str, Any]:
    """What a log line says of a verdict (its record, as written)."""
    return {
        "transaction_id": record.transaction_id,
        "score": float(record.score),
        "decision": record.decision,
        "model_version": record.model_version,
        "reasons": [reason.code for reason in record.reason_codes],
        "rules_fired": list(record.rules_fired),
    }
