"""The scorer's domain: a decoded batch → online features → one `predict_proba` → verdicts.

Which transactions are new and what features they have comes from `batch_features.py`, as
columns; here they become one matrix, one prediction call, the rules' and the features' reasons,
and the verdicts' items.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache
from operator import attrgetter

import numpy as np
import pandas as pd

from cardwatch_scorer.batch_features import Columns, NewTransactions, walk
from cardwatch_scorer.features_json import batch_features_texts
from cardwatch_scorer.model_cache import LiveModel
from cardwatch_scorer.reason_codes import REASON_FEATURES, batch_reasons
from cardwatch_scorer.rule_engine import RuleDecisions, decide, referenced_fields
from cardwatch_scorer.rules_cache import LiveRules
from cardwatch_scorer.state_items import CardRecord
from cardwatch_scorer.state_store import Snapshot, TerminalCount
from cardwatch_scorer.stream_transaction import StreamTransaction
from cardwatch_scorer.verdict_record import VerdictRecord, verdict_records
from cardwatch_shared.contracts import Decision, ReasonCode, TransactionFields, Verdict
from cardwatch_shared.contracts.rule_set import CATEGORICAL_FIELDS
from cardwatch_shared.contracts.verdict import MAX_REASONS, MAX_RULES_FIRED
from cardwatch_shared.verdict_item import Judgement, VerdictStamp, from_item


@dataclass
class ScoredBatch:
    """New verdicts (their records), their terminal counts (written with them), card states."""

    records: list[VerdictRecord] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)  # of `records`, as numbers
    terminal_counts: list[TerminalCount] = field(default_factory=list)
    cards: dict[str, CardRecord] = field(default_factory=dict)
    features: pd.DataFrame | None = None
    feature_ids: list[str] = field(default_factory=list)

    def verdicts(self) -> list[Verdict]:
        """The new verdicts, read back (and validated) from their items."""
        return [from_item(record.item()) for record in self.records]


def feature_matrix(columns: Columns, names: Sequence[str], rows: int) -> np.ndarray:
    """The columns in the model's order; NaN where a feature is absent."""
    matrix = np.empty((rows, len(names)), dtype=np.float64)
    for at, name in enumerate(names):
        matrix[:, at] = columns.get(name, math.nan)
    return matrix


_TIMES_TEXT = attrgetter("times_text")
_TRANSACTION_ID = attrgetter("transaction_id")


@cache
def _frame_columns(names: tuple[str, ...]) -> pd.Index:
    """The frame's column index, made once per model: making it cost eight times the frame."""
    return pd.Index(names)


def score_batch(
    transactions: Sequence[StreamTransaction],
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
    new = walk(transactions, snap, keep, out.cards, labels=model.manifest.uses_labels)
    out.terminal_counts = new.terminal_counts
    if new.transactions:
        _judge(new, model, now, rules or LiveRules(), out)
    return out


def _judge(
    new: NewTransactions, model: LiveModel, now: datetime, live: LiveRules, out: ScoredBatch
) -> None:
    """One matrix, one `predict_proba`, the rules, the judgements and the verdicts' records."""
    manifest = model.manifest
    names = manifest.feature_names
    pending, columns = new.transactions, new.columns
    matrix = feature_matrix(columns, names, len(pending))
    scores = model.predictor.predict_proba(matrix)[:, 1]
    out.features = pd.DataFrame(matrix, columns=_frame_columns(tuple(names)), copy=False)
    out.feature_ids = list(map(_TRANSACTION_ID, pending))
    decided = apply_rules(live, new, scores, manifest.threshold, now)
    stamp = VerdictStamp(manifest.threshold, manifest.version, live.version, now)
    reasons = feature_columns(REASON_FEATURES, columns, len(pending))
    judged = judge_batch(scores, reasons, manifest.threshold, decided)
    texts = batch_features_texts(columns, len(pending))
    verdicts = list(zip(pending, judged, texts, strict=True))
    out.records = verdict_records(verdicts, stamp, list(map(_TIMES_TEXT, pending)))
    out.scores = [judgement.score for judgement in judged]


def feature_columns(wanted: Iterable[str], columns: Columns, rows: int) -> dict[str, np.ndarray]:
    """The batch's column of each wanted feature (NaN where absent)."""
    return {name: _column(name, columns, rows) for name in wanted}


def _column(name: str, columns: Columns, rows: int) -> np.ndarray:
    found = columns.get(name)
    return found if found is not None else np.full(rows, math.nan)


def rule_columns(
    fields: set[str],
    records: Sequence[TransactionFields | Verdict],
    features: Columns,
    scores: np.ndarray,
) -> dict[str, np.ndarray]:
    """The columns the rules name: features (NaN where absent), the score, and the categories of
    each transaction (or of its verdict: the backtest replays stored verdicts the same way)."""
    columns: dict[str, np.ndarray] = {}
    for name in fields:
        if name == "score":
            columns[name] = np.asarray(scores, dtype=np.float64)
        elif name in CATEGORICAL_FIELDS:
            columns[name] = _category_column(list(map(attrgetter(name), records)))
        else:
            columns[name] = _column(name, features, len(records))
    return columns


def _category_column(values: list[object]) -> np.ndarray:
    """The values as text: an enum's value, anything else as `str` gives it."""
    if all(kind is str or issubclass(kind, StrEnum) for kind in set(map(type, values))):
        texts = list(map(str, values))  # a StrEnum's str is its value
    else:
        texts = [str(getattr(v, "value", v)) for v in values]
    return np.asarray(texts, dtype=object)


def apply_rules(
    live: LiveRules, new: NewTransactions, scores: np.ndarray, threshold: float, now: datetime
) -> RuleDecisions | None:
    """Rules and lists over the batch; None when no rule set is live."""
    if not live.rules.rules and not live.rules.lists:
        return None
    fields = referenced_fields(live.rules)
    columns = rule_columns(fields, new.transactions, new.columns, scores)
    return decide(live.rules, columns, np.asarray(scores >= threshold, dtype=np.bool_), now)


@cache
def _rule_reason(name: str, text: str) -> ReasonCode:
    """A rule hit's reason code (keyed by its strings: a hit's own hash is a Python call)."""
    code = name.replace(":", "_") if ":" in name else f"rule_{name}"
    return ReasonCode(code=code, text=text[:200])


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
        block, allow = Decision.BLOCK, Decision.ALLOW
        return [  # tuple.__new__ skips the named tuple's Python-level constructor: half the cost
            tuple.__new__(Judgement, (score, block if score >= threshold else allow, codes, []))
            for score, codes in zip(clamped, feature_reasons, strict=True)
        ]
    out = []
    for score, codes, decision, hits in zip(
        clamped, feature_reasons, decided.decisions, decided.hits, strict=True
    ):
        ruled = [_rule_reason(hit.name, hit.text) for hit in hits[:MAX_REASONS]]
        fired = [hit.name for hit in hits[:MAX_RULES_FIRED]]
        judged = (score, decision, (ruled + codes)[:MAX_REASONS], fired)
        out.append(tuple.__new__(Judgement, judged))
    return out
