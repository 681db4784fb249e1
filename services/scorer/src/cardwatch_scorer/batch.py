"""One Kinesis batch, end to end: decode, snapshot, score, commit; the outcome per record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import ValidationError

from cardwatch_scorer.model_cache import ModelCache
from cardwatch_scorer.rules_cache import RulesCache
from cardwatch_scorer.scoring import ScoredBatch, score_batch
from cardwatch_scorer.state_store import StateStore
from cardwatch_scorer.stream_transaction import (
    StreamTransaction,
    read_transactions,
    record_datas,
)
from cardwatch_scorer.verdict_record import VerdictRecord
from cardwatch_shared.contracts import Transaction
from cardwatch_shared.features.spec import SECONDS_PER_DAY
from cardwatch_shared.model_manifest import ModelManifest
from cardwatch_shared.score_drift import bin_counts, psi


@dataclass
class BatchOutcome:
    """Which records failed and why; what was written."""

    failures: dict[str, str] = field(default_factory=dict)
    scored: ScoredBatch | None = None
    written: list[VerdictRecord] = field(default_factory=list)  # the new verdicts
    model_version: str | None = None
    rule_set_version: str | None = None
    drift_psi: float | None = None
    scores_today: int = 0

    @property
    def verdicts_written(self) -> int:
        """Verdicts this delivery wrote (a replay's were written before)."""
        return len(self.written)

    @property
    def frauds(self) -> int:
        """Of those, the frauds."""
        return sum(1 for record in self.written if record.is_fraud)


def decode(
    records: list[dict[str, Any]],
) -> tuple[list[tuple[str, StreamTransaction]], dict[str, str]]:
    """(sequence number, transaction) of each valid record, in order; reasons for the others.

    The data is strict base64, read by the fast reader (`stream_transaction.py`); a record it
    does not accept is validated by the contract itself, which accepts it or gives the reason."""
    sequences = [record["kinesis"]["sequenceNumber"] for record in records]
    sequences, datas, bad = _base64_decoded(sequences, [r["kinesis"]["data"] for r in records])
    fast = read_transactions(datas)
    if None not in fast:  # every record read fast: none for the model
        return list(zip(sequences, cast("list[StreamTransaction]", fast), strict=True)), bad
    good: list[tuple[str, StreamTransaction]] = []
    for sequence, data, read in zip(sequences, datas, fast, strict=True):
        tx = read if read is not None else _validated(data)
        if isinstance(tx, str):
            bad[sequence] = tx
        else:
            good.append((sequence, tx))
    return good, bad


_NOT_A_TRANSACTION = "record is not a valid Transaction (%d error(s))"


def _base64_decoded(
    sequences: list[str], texts: list[object]
) -> tuple[list[str], list[bytes], dict[str, str]]:
    """The sequence numbers and data of the records whose data is strict base64; reasons for the
    others."""
    datas = record_datas(texts)
    if None not in datas:
        return sequences, cast("list[bytes]", datas), {}
    bad = {s: _NOT_A_TRANSACTION % 1 for s, d in zip(sequences, datas, strict=True) if d is None}
    kept = [(s, d) for s, d in zip(sequences, datas, strict=True) if d is not None]
    return [s for s, _ in kept], [d for _, d in kept], bad


def _validated(data: bytes) -> StreamTransaction | str:
    """The record as the contract validates it, or the reason it is not one."""
    try:
        return StreamTransaction.of(Transaction.model_validate_json(data))
    except ValidationError as exc:
        return _NOT_A_TRANSACTION % exc.error_count()


def process_batch(
    records: list[dict[str, Any]],
    store: StateStore,
    models: ModelCache,
    keep_ids: int,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    rules: RulesCache | None = None,
) -> BatchOutcome:
    """Score a batch as a batch; every effect idempotent by transaction id."""
    decoded, failures = decode(records)
    outcome = BatchOutcome(failures=failures)
    if not decoded:
        return outcome
    model = models.get()
    transactions = [tx for _, tx in decoded]
    snap = store.snapshot(
        (t.transaction_id for t in transactions),
        (t.card_token for t in transactions),
        (t.terminal_id for t in transactions),
    )
    live_rules = rules.get() if rules is not None else None
    scored = score_batch(transactions, snap, model, now(), keep_ids, rules=live_rules)
    written = store.commit(scored.records, scored.terminal_counts)
    stale = store.save_cards(scored.cards)
    if stale:  # their records fail, for Lambda to deliver again
        outcome.failures |= {s: stale[tx.card_token] for s, tx in decoded if tx.card_token in stale}
    new_scores = _keep_written(outcome, scored, written)
    outcome.model_version = model.manifest.version
    outcome.rule_set_version = live_rules.version if live_rules else None
    _track_drift(outcome, store, model.manifest, new_scores, now())
    return outcome


def _keep_written(outcome: BatchOutcome, scored: ScoredBatch, written: set[str]) -> list[float]:
    """The verdicts this delivery wrote (not a replay's); their scores. `written` holds ids of
    `scored.records` only: as many ids as records means all of them."""
    outcome.scored = scored
    if len(written) == len(scored.records):
        outcome.written = list(scored.records)
        return list(scored.scores)
    new = [
        (record, score)
        for record, score in zip(scored.records, scored.scores, strict=True)
        if record.transaction_id in written
    ]
    outcome.written = [record for record, _ in new]
    return [score for _, score in new]


def _track_drift(
    outcome: BatchOutcome,
    store: StateStore,
    manifest: ModelManifest,
    scores: list[float],
    moment: datetime,
) -> None:
    """Count the new scores in today's histogram and compare the day with validation (PSI)."""
    if not scores or not manifest.score_bin_shares:
        return
    counts = bin_counts(scores, manifest.score_bin_edges)
    day = int(moment.timestamp()) // SECONDS_PER_DAY
    today = store.add_scores(manifest.version, day, counts)
    outcome.scores_today = sum(today)
    outcome.drift_psi = psi(manifest.score_bin_shares, today)
