"""The scorer's domain: a decoded batch → online features → one `predict_proba` → verdicts.

Transactions of one card are taken in event-time order; each sees the card's state with the
earlier ones applied. A transaction that already has a verdict (a replay) is not scored nor
counted again (its terminal counted it with the verdict); if its card never absorbed it (the
function died between the two writes) the card absorbs it now.

The batch owns its snapshot (the store reads a fresh one for every batch): a card's record in it
is updated in place as the card absorbs its transactions, then saved. Terminals are read as
stored (`terminal_views.py`: what each transaction sees of the batch's earlier ones).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from cardwatch_scorer.model_cache import LiveModel
from cardwatch_scorer.reason_codes import REASON_FEATURES, batch_reasons
from cardwatch_scorer.rule_engine import RuleDecisions, RuleHit, decide, referenced_fields
from cardwatch_scorer.rules_cache import LiveRules
from cardwatch_scorer.state_items import CardRecord
from cardwatch_scorer.state_store import Snapshot, TerminalCount
from cardwatch_scorer.terminal_views import TerminalViews
from cardwatch_shared.contracts import Channel, Decision, ReasonCode, Transaction, Verdict
from cardwatch_shared.contracts.rule_set import CATEGORICAL_FIELDS
from cardwatch_shared.contracts.verdict import MAX_REASONS, MAX_RULES_FIRED
from cardwatch_shared.features import online
from cardwatch_shared.features.spec import SECONDS_PER_DAY
from cardwatch_shared.verdict_item import Judgement, VerdictStamp, from_item, scored_items

Pending = list[tuple[Transaction, dict[str, float]]]  # new transactions and their features


@dataclass
class ScoredBatch:
    """New verdicts (as their DynamoDB items), their terminal counts (written with them), card
    states."""

    items: list[dict[str, Any]] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)  # of `items`, as numbers
    terminal_counts: list[TerminalCount] = field(default_factory=list)
    cards: dict[str, CardRecord] = field(default_factory=dict)
    features: pd.DataFrame | None = None
    feature_ids: list[str] = field(default_factory=list)

    def verdicts(self) -> list[Verdict]:
        """The new verdicts, read back (and validated) from their items."""
        return [from_item(item) for item in self.items]


def in_card_order(transactions: Sequence[Transaction]) -> list[tuple[Transaction, int]]:
    """Each transaction with its event time in epoch seconds, by card, then time, then id (then
    arrival). Sorted on the timestamp, not the datetime: comparing two aware datetimes asks each
    for its offset, and the sort did that a few times a record."""
    keyed = sorted(
        (tx.card_token, tx.event_time.timestamp(), tx.transaction_id, index)
        for index, tx in enumerate(transactions)
    )
    return [(transactions[index], int(moment)) for _, moment, _, index in keyed]


def _absorb(record: CardRecord, tx: Transaction, seconds: int, keep: int) -> None:
    online.add_to_card(record.state, float(tx.amount), seconds)
    record.applied.add(tx.transaction_id, keep)


def _absorbed_before(
    tx: Transaction, card: CardRecord, snap: Snapshot, absorbed: set[tuple[str, str]]
) -> bool:
    """Whether the card has this transaction already: earlier in the batch, or stored.

    A card absorbs a transaction only after its verdict is written, so only a transaction with a
    verdict (a replay) can be among the card's stored ids: the others skip the list scan."""
    if (tx.card_token, tx.transaction_id) in absorbed:
        return True
    return tx.transaction_id in snap.existing_verdicts and tx.transaction_id in card.applied


def _features(
    tx: Transaction, seconds: int, card: CardRecord, terminal: Mapping[str, float]
) -> dict[str, float]:
    amount = float(tx.amount)
    features = online.transaction_features(amount, seconds)
    features.update(online.card_features(card.state, amount, seconds))
    features.update(terminal)
    features["is_card_not_present"] = float(tx.channel is Channel.CARD_NOT_PRESENT)
    return features


def feature_matrix(features: Sequence[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
    """Rows of `features` in the model's column order; NaN where a feature is absent."""
    if not features:
        return np.empty((0, len(names)), dtype=np.float64)
    pick = itemgetter(*names)
    try:
        rows = [pick(f) for f in features]
    except KeyError:
        rows = [[f.get(name, math.nan) for name in names] for f in features]
    return np.array(rows, dtype=np.float64).reshape(len(features), len(names))


def score_batch(
    transactions: list[Transaction],
    snap: Snapshot,
    model: LiveModel,
    now: datetime,
    keep: int,
    *,
    rules: LiveRules | None = None,
) -> ScoredBatch:
    """Features for every new transaction, one prediction call, rules, verdicts, card states
    (`snap`'s card records, updated in place)."""
    out = ScoredBatch()
    pending = _walk(transactions, snap, keep, out, labels=model.manifest.uses_labels)
    if pending:
        _judge(pending, model, now, rules or LiveRules(), out)
    return out


def _walk(
    transactions: list[Transaction], snap: Snapshot, keep: int, out: ScoredBatch, *, labels: bool
) -> Pending:
    """Each transaction in card order: its features and terminal count if it is new (kept in
    `out`), then absorbed by its card. A replay its card absorbed already is passed over."""
    pending: Pending = []
    absorbed: set[tuple[str, str]] = set()  # (card, transaction) pairs this batch absorbed
    ordered = in_card_order(transactions)
    moments = [seconds for _, seconds in ordered]
    views = TerminalViews(snap.terminals, moments, with_labels=labels)
    for tx, seconds in ordered:
        card = out.cards.get(tx.card_token) or snap.cards.get(tx.card_token) or CardRecord()
        if _absorbed_before(tx, card, snap, absorbed):
            continue
        if tx.transaction_id not in snap.existing_verdicts:
            terminal = views.see(tx.terminal_id, seconds)
            pending.append((tx, _features(tx, seconds, card, terminal)))
            day = seconds // SECONDS_PER_DAY
            stored = snap.terminals.get(tx.terminal_id)
            known = tuple(stored.days) if stored is not None else ()
            out.terminal_counts.append(TerminalCount(tx.terminal_id, day, tx.transaction_id, known))
        out.cards[tx.card_token] = card  # the snapshot's own record, changed in place
        _absorb(card, tx, seconds, keep)
        absorbed.add((tx.card_token, tx.transaction_id))
    return pending


def _judge(
    pending: Pending, model: LiveModel, now: datetime, live: LiveRules, out: ScoredBatch
) -> None:
    """One matrix, one `predict_proba`, the rules, the judgements and the verdicts' items."""
    manifest = model.manifest
    names = manifest.feature_names
    rows = [features for _, features in pending]
    matrix = feature_matrix(rows, names)
    scores = model.estimator.predict_proba(matrix)[:, 1]
    out.features = pd.DataFrame(matrix, columns=names)
    out.feature_ids = [tx.transaction_id for tx, _ in pending]
    decided = apply_rules(live, pending, scores, manifest.threshold, now)
    stamp = VerdictStamp(manifest.threshold, manifest.version, live.version, now)
    columns = feature_columns(REASON_FEATURES, matrix, names, rows)
    judged = judge_batch(scores, columns, manifest.threshold, decided)
    verdicts = [(tx, judgement, row) for (tx, row), judgement in zip(pending, judged, strict=True)]
    out.items = scored_items(verdicts, stamp)
    out.scores = [judgement.score for judgement in judged]


def feature_columns(
    wanted: Iterable[str],
    matrix: np.ndarray,
    names: Sequence[str],
    features: Sequence[Mapping[str, float]],
) -> dict[str, np.ndarray]:
    """The batch's column of each wanted feature: the model's matrix column, else read from the
    rows (NaN where absent)."""
    position = {name: index for index, name in enumerate(names)}
    return {
        name: matrix[:, position[name]] if name in position else row_column(name, features)
        for name in wanted
    }


def row_column(name: str, features: Sequence[Mapping[str, float]]) -> np.ndarray:
    """One feature of every row, NaN where a row lacks it."""
    return np.asarray([f.get(name, math.nan) for f in features], dtype=np.float64)


def rule_columns(
    fields: set[str],
    records: Sequence[Transaction | Verdict],
    features: Sequence[Mapping[str, float]],
    scores: np.ndarray,
) -> dict[str, np.ndarray]:
    """The columns the rules name: features (NaN where absent), the score, and the categories of
    each transaction (or of its verdict: the backtest replays stored verdicts the same way)."""
    columns: dict[str, np.ndarray] = {}
    for name in fields:
        if name == "score":
            columns[name] = np.asarray(scores, dtype=np.float64)
        elif name in CATEGORICAL_FIELDS:
            values = [getattr(record, name) for record in records]
            columns[name] = np.asarray([str(getattr(v, "value", v)) for v in values], dtype=object)
        else:
            columns[name] = row_column(name, features)
    return columns


def apply_rules(
    live: LiveRules,
    pending: Pending,
    scores: np.ndarray,
    threshold: float,
    now: datetime,
) -> RuleDecisions | None:
    """Rules and lists over the batch; None when no rule set is live."""
    if not live.rules.rules and not live.rules.lists:
        return None
    transactions = [tx for tx, _ in pending]
    features = [f for _, f in pending]
    columns = rule_columns(referenced_fields(live.rules), transactions, features, scores)
    return decide(live.rules, columns, np.asarray(scores >= threshold, dtype=np.bool_), now)


@cache
def _rule_reason(hit: RuleHit) -> ReasonCode:
    code = hit.name.replace(":", "_") if ":" in hit.name else f"rule_{hit.name}"
    return ReasonCode(code=code, text=hit.text[:200])


def judge_batch(
    scores: np.ndarray,
    columns: Mapping[str, np.ndarray],
    threshold: float,
    decided: RuleDecisions | None,
) -> list[Judgement]:
    """Each row's score (clamped; NaN counts as certain fraud), decision (the rules', else the
    model's) and reasons: the deciding rules' first, then the features'."""
    finite = np.isfinite(scores)
    clamped = np.clip(np.where(finite, scores, 1.0), 0.0, 1.0).tolist()
    feature_reasons = batch_reasons(columns, len(clamped))
    if decided is None:
        return [
            Judgement(score, Decision.BLOCK if score >= threshold else Decision.ALLOW, codes, [])
            for score, codes in zip(clamped, feature_reasons, strict=True)
        ]
    out = []
    for score, codes, decision, hits in zip(
        clamped, feature_reasons, decided.decisions, decided.hits, strict=True
    ):
        ruled = [_rule_reason(hit) for hit in hits[:MAX_REASONS]]
        judged_codes = (ruled + codes)[:MAX_REASONS]
        out.append(
            Judgement(score, decision, judged_codes, [h.name for h in hits[:MAX_RULES_FIRED]])
        )
    return out
