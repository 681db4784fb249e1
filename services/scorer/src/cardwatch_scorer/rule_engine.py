"""Rules and lists over a scored batch, vectorised: one boolean mask per condition, per column.

Precedence, per transaction: a block-list entry, then an allow-list entry, then the firing rule of
highest priority (on a tie the stricter action), then the model. A `review` rule never lowers a
model `block`; an `allow` rule or entry does (that is what it is for: never alert).
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from cardwatch_shared.contracts import Decision
from cardwatch_shared.contracts.rule_set import (
    LIST_COLUMN,
    LIST_PRIORITY,
    NUMERIC_FIELDS,
    AllOf,
    AnyOf,
    Condition,
    ListEntry,
    ListKind,
    Op,
    RuleSet,
)

Mask = npt.NDArray[np.bool_]
Columns = Mapping[str, npt.NDArray[np.float64] | npt.NDArray[np.object_]]
SEVERITY = {Decision.ALLOW: 0, Decision.REVIEW: 1, Decision.BLOCK: 2}
BY_SEVERITY = (Decision.ALLOW, Decision.REVIEW, Decision.BLOCK)


@dataclass(frozen=True)
class RuleHit:
    """A rule or list entry that matched a transaction, and why, in words."""

    name: str
    text: str
    priority: int
    action: Decision


@dataclass(frozen=True)
class RuleDecisions:
    """Per transaction: the final decision and the hits, the deciding one first."""

    decisions: list[Decision]
    hits: list[list[RuleHit]]


def _numeric(column: npt.NDArray[np.float64], cond: Condition) -> Mask:
    if cond.op in (Op.IN, Op.NOT_IN):
        assert isinstance(cond.value, list)
        found = np.isin(column, np.asarray(cond.value, dtype=np.float64))
        mask = found if cond.op is Op.IN else ~found
    else:
        assert isinstance(cond.value, float | int)
        value = float(cond.value)
        with np.errstate(invalid="ignore"):
            mask = {
                Op.GT: column > value,
                Op.GE: column >= value,
                Op.LT: column < value,
                Op.LE: column <= value,
                Op.EQ: column == value,
                Op.NE: column != value,
            }[cond.op]
    return np.asarray(mask & ~np.isnan(column), dtype=np.bool_)


def _categorical(column: npt.NDArray[np.object_], cond: Condition) -> Mask:
    values = cond.value if isinstance(cond.value, list) else [cond.value]
    found = _members(column, frozenset(values))
    return found if cond.op in (Op.EQ, Op.IN) else ~found


def _members(column: npt.NDArray[np.object_], values: AbstractSet[object]) -> Mask:
    """Where the column's value is one of `values`, by a set lookup a row: numpy's `isin` sorts
    an object array, comparing in Python, at about ten times the cost."""
    return np.fromiter(map(values.__contains__, column.tolist()), np.bool_, len(column))


def mask(node: Condition | AllOf | AnyOf, columns: Columns) -> Mask:
    """Where the condition tree holds."""
    if isinstance(node, AllOf):
        return np.asarray(np.logical_and.reduce([mask(m, columns) for m in node.members]))
    if isinstance(node, AnyOf):
        return np.asarray(np.logical_or.reduce([mask(m, columns) for m in node.members]))
    column = columns[node.field]
    if node.field in NUMERIC_FIELDS:
        return _numeric(column.astype(np.float64, copy=False), node)
    return _categorical(column.astype(object, copy=False), node)


def _list_hits(rules: RuleSet, columns: Columns, now: datetime) -> list[tuple[RuleHit, Mask]]:
    found: list[tuple[RuleHit, Mask]] = []
    by_group: dict[tuple[str, str], dict[str, ListEntry]] = {}
    for entry in rules.lists:
        if entry.active(now):
            by_group.setdefault((entry.action, entry.kind.value), {})[entry.value] = entry
    for (action, kind), entries in sorted(by_group.items()):
        column = columns[LIST_COLUMN[ListKind(kind)]]
        listed = _members(column.astype(object, copy=False), entries.keys())
        for value in sorted({str(v) for v in column[listed]}):
            text = f"{kind} on the {action} list: {entries[value].reason}"
            hit = RuleHit(f"{action}_list:{kind}", text, LIST_PRIORITY[action], Decision(action))
            found.append((hit, np.asarray(column == value, dtype=np.bool_)))
    return found


def _rule_hits(rules: RuleSet, columns: Columns) -> list[tuple[RuleHit, Mask]]:
    found: list[tuple[RuleHit, Mask]] = []
    for rule in rules.rules:
        if rule.enabled:
            text = f"rule {rule.name}: {rule.description}"
            hit = RuleHit(rule.name, text, rule.priority, rule.action)
            found.append((hit, mask(rule.when, columns)))
    return found


def _fields(node: Condition | AllOf | AnyOf) -> set[str]:
    if isinstance(node, Condition):
        return {node.field}
    return set().union(*(_fields(member) for member in node.members))


def referenced_fields(rules: RuleSet) -> set[str]:
    """The columns a rule set reads: the enabled rules' fields and the listed kinds' columns."""
    fields = {LIST_COLUMN[entry.kind] for entry in rules.lists}
    for rule in rules.rules:
        if rule.enabled:
            fields |= _fields(rule.when)
    return fields


def decide(rules: RuleSet, columns: Columns, model_block: Mask, now: datetime) -> RuleDecisions:
    """The final decisions of a batch; `columns` hold every field a rule can name."""
    n = len(model_block)
    ruled = np.full(n, -1)  # the deciding hit's severity; -1: no hit
    hits: list[list[RuleHit]] = [[] for _ in range(n)]
    for hit, where in _deciding_first(_list_hits(rules, columns, now) + _rule_hits(rules, columns)):
        ruled[where & (ruled < 0)] = SEVERITY[hit.action]  # ranked: a row's first hit decides
        for index in np.flatnonzero(where):
            hits[index].append(hit)
    severity = np.where(ruled >= 0, ruled, np.where(model_block, 2, 0))
    lowered_block = model_block & (severity == 1)  # a review rule keeps a model block
    final = np.where(lowered_block, 2, severity)
    return RuleDecisions([BY_SEVERITY[s] for s in final.tolist()], hits)


def _deciding_first(found: list[tuple[RuleHit, Mask]]) -> list[tuple[RuleHit, Mask]]:
    """The hits by priority, then the stricter action, otherwise as found (a stable sort): a row's
    first hit is its deciding one, and its hits, appended in this order, need no sort a row."""
    return sorted(found, key=lambda pair: (-pair[0].priority, -SEVERITY[pair[0].action]))
