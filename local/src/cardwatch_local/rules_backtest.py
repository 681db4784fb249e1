"""Backtest a rule set on stored verdicts before it goes live: what each rule would hit, how
precise it is where labels are known, and how the decisions differ from the live set's.

It runs the scorer's own rule engine on the features each verdict recorded, so what the backtest
says is what the scorer would have decided.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from cardwatch_scorer.rule_engine import RuleDecisions, decide, referenced_fields
from cardwatch_scorer.scoring import rule_columns
from cardwatch_shared.contracts import Decision, RuleSet, Verdict
from cardwatch_shared.verdict_item import from_item


@dataclass
class RuleLine:
    """What one rule (or list) hit in the backtest."""

    name: str
    action: str
    hits: int = 0
    decided: int = 0
    labelled: int = 0
    frauds: int = 0

    @property
    def precision(self) -> float:
        """Share of its labelled hits that were fraud (NaN: none labelled)."""
        return self.frauds / self.labelled if self.labelled else math.nan


@dataclass
class Outcome:
    """Decision counts and, where labels are known, precision and recall of `block`."""

    decisions: Counter[str] = field(default_factory=Counter)
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Blocked and fraud / blocked (labelled only)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else math.nan

    @property
    def recall(self) -> float:
        """Blocked and fraud / fraud (labelled only)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else math.nan


@dataclass
class Backtest:
    """The candidate's table, both outcomes, and how many decisions change."""

    transactions: int
    labelled: int
    rules: list[RuleLine]
    candidate: Outcome
    live: Outcome
    changed: Counter[tuple[str, str]]


def read_labels(path: Path) -> dict[str, bool]:
    """transaction id → fraud, from a labels CSV (`transaction_id`, `label` 1/0 or fraud/legit)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        return {
            row["transaction_id"]: row["label"].strip().lower() in {"1", "fraud", "true"}
            for row in rows
        }


def verdicts_of(items: Iterable[dict[str, Any]]) -> list[Verdict]:
    """Stored verdict items → verdicts."""
    return [from_item(item) for item in items]


def _decide(rules: RuleSet, verdicts: list[Verdict], now: datetime) -> RuleDecisions:
    model_block = np.asarray([v.score >= v.threshold for v in verdicts], dtype=np.bool_)
    scores = np.asarray([v.score for v in verdicts], dtype=np.float64)
    fields = referenced_fields(rules)
    features = {
        name: np.asarray([v.features.get(name, math.nan) for v in verdicts], dtype=np.float64)
        for name in fields
    }
    columns = rule_columns(fields, verdicts, features, scores)
    return decide(rules, columns, model_block, now)


def _outcome(decided: RuleDecisions, verdicts: list[Verdict], labels: dict[str, bool]) -> Outcome:
    out = Outcome(Counter(d.value for d in decided.decisions))
    for verdict, decision in zip(verdicts, decided.decisions, strict=True):
        truth = labels.get(verdict.transaction_id)
        if truth is None:
            continue
        blocked = decision is Decision.BLOCK
        out.tp += blocked and truth
        out.fp += blocked and not truth
        out.fn += truth and not blocked
    return out


def _rule_lines(
    rules: RuleSet, decided: RuleDecisions, verdicts: list[Verdict], labels: dict[str, bool]
) -> list[RuleLine]:
    lines = {r.name: RuleLine(r.name, r.action.value) for r in rules.rules if r.enabled}
    for verdict, hits in zip(verdicts, decided.hits, strict=True):
        truth = labels.get(verdict.transaction_id)
        for rank, hit in enumerate(hits):
            line = lines.setdefault(hit.name, RuleLine(hit.name, hit.action.value))
            line.hits += 1
            line.decided += rank == 0
            if truth is not None:
                line.labelled += 1
                line.frauds += truth
    return list(lines.values())


def backtest(
    candidate: RuleSet,
    live: RuleSet,
    verdicts: list[Verdict],
    labels: dict[str, bool],
    now: datetime | None = None,
) -> Backtest:
    """Replay `candidate` and `live` over the same verdicts."""
    moment = now or datetime.now(UTC)
    new, old = _decide(candidate, verdicts, moment), _decide(live, verdicts, moment)
    changed = Counter(
        (a.value, b.value) for a, b in zip(old.decisions, new.decisions, strict=True) if a != b
    )
    return Backtest(
        transactions=len(verdicts),
        labelled=sum(v.transaction_id in labels for v in verdicts),
        rules=_rule_lines(candidate, new, verdicts, labels),
        candidate=_outcome(new, verdicts, labels),
        live=_outcome(old, verdicts, labels),
        changed=changed,
    )
