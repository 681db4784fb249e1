"""The vectorised rule engine: precedence, missing features, and agreement with a plain
per-transaction evaluation of the same rules on generated batches."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_scorer.rule_engine import SEVERITY, decide, referenced_fields
from cardwatch_shared.contracts import Decision, RuleSet
from cardwatch_shared.contracts.rule_set import LIST_PRIORITY, AllOf, AnyOf, Condition, Op

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 29, tzinfo=UTC)
TOKEN = "a" * 64


def rules(*rules: dict[str, Any], lists: list[dict[str, Any]] | None = None) -> RuleSet:
    return RuleSet.model_validate({"rules": list(rules), "lists": lists or []})


def rule(name: str, action: str, priority: int, **when: Any) -> dict[str, Any]:
    return {"name": name, "description": name, "when": when, "action": action, "priority": priority}


def columns(**values: list[Any]) -> dict[str, np.ndarray]:
    return {
        k: np.asarray(v, dtype=object if isinstance(v[0], str) else np.float64)
        for k, v in values.items()
    }


def test_highest_priority_decides_and_ties_go_to_the_stricter() -> None:
    cols = columns(amount=[10.0, 500.0, 500.0], mcc=["4111", "4111", "5411"])
    ruleset = rules(
        rule("big", "review", 5, field="amount", op="gt", value=100),
        rule("transit", "allow", 9, field="mcc", op="eq", value="4111"),
        rule("big_block", "block", 5, field="amount", op="gt", value=400),
    )
    out = decide(ruleset, cols, np.zeros(3, dtype=bool), NOW)
    assert out.decisions == [Decision.ALLOW, Decision.ALLOW, Decision.BLOCK]
    assert [h.name for h in out.hits[1]] == ["transit", "big_block", "big"]
    assert [h.name for h in out.hits[2]] == ["big_block", "big"]


def test_lists_outrank_rules_and_block_outranks_allow() -> None:
    cols = columns(card_token=[TOKEN, "b" * 64], terminal_id=["T1", "T1"], amount=[1.0, 1.0])
    lists = [
        {"kind": "card", "value": TOKEN, "action": "allow", "reason": "vip"},
        {"kind": "terminal", "value": "T1", "action": "block", "reason": "skimmer"},
    ]
    ruleset = rules(rule("tiny", "allow", 999, field="amount", op="lt", value=5), lists=lists)
    out = decide(ruleset, cols, np.zeros(2, dtype=bool), NOW)
    assert out.decisions == [Decision.BLOCK, Decision.BLOCK]
    assert [h.name for h in out.hits[0]] == ["block_list:terminal", "allow_list:card", "tiny"]
    assert out.hits[0][0].text == "terminal on the block list: skimmer"


def test_review_rule_keeps_a_model_block_and_allow_lowers_it() -> None:
    cols = columns(amount=[300.0, 300.0], mcc=["5411", "4111"])
    ruleset = rules(
        rule("look", "review", 1, field="mcc", op="eq", value="5411"),
        rule("ok", "allow", 1, field="mcc", op="eq", value="4111"),
    )
    out = decide(ruleset, cols, np.ones(2, dtype=bool), NOW)
    assert out.decisions == [Decision.BLOCK, Decision.ALLOW]


def test_missing_feature_never_matches_whatever_the_operator() -> None:
    cols = columns(card_seconds_since_last=[math.nan, 30.0])
    for op, value in (("lt", 60), ("gt", 0), ("ne", 5), ("not_in", [1.0]), ("eq", 30)):
        ruleset = rules(rule("r", "block", 1, field="card_seconds_since_last", op=op, value=value))
        out = decide(ruleset, cols, np.zeros(2, dtype=bool), NOW)
        assert out.decisions[0] is Decision.ALLOW, op


def test_expired_entries_and_disabled_rules_are_ignored() -> None:
    lists = [
        {
            "kind": "merchant",
            "value": "M1",
            "action": "block",
            "reason": "r",
            "expires_at": (NOW - timedelta(seconds=1)).isoformat(),
        }
    ]
    off = rule("off", "block", 1, field="amount", op="gt", value=0) | {"enabled": False}
    ruleset = rules(off, lists=lists)
    out = decide(ruleset, columns(merchant_id=["M1"], amount=[9.0]), np.zeros(1, dtype=bool), NOW)
    assert out.decisions == [Decision.ALLOW]
    assert out.hits == [[]]
    assert referenced_fields(ruleset) == {"merchant_id"}


# --- the vectorised engine agrees with a plain per-transaction evaluation --------------------

NUMERIC = ("amount", "card_count_1d", "score")
CATEGORY = ("mcc", "channel", "merchant_id")
MCCS = ("4111", "5411", "5999")
CHANNELS = ("card_present", "card_not_present")
MERCHANTS = ("M1", "M2", "M3")

numbers = st.one_of(st.just(math.nan), st.sampled_from([0.0, 1.0, 5.0, 100.0, 250.5]))
conditions = st.one_of(
    st.builds(
        lambda f, op, v: {"field": f, "op": op, "value": v},
        st.sampled_from(NUMERIC),
        st.sampled_from(["gt", "ge", "lt", "le", "eq", "ne"]),
        st.sampled_from([0.0, 1.0, 5.0, 100.0]),
    ),
    st.builds(
        lambda f, op, v: {"field": f, "op": op, "value": v},
        st.sampled_from(NUMERIC),
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from([1.0, 5.0, 100.0]), min_size=1, max_size=2),
    ),
    st.builds(
        lambda op, v: {"field": "mcc", "op": op, "value": v},
        st.sampled_from(["eq", "ne"]),
        st.sampled_from(MCCS),
    ),
    st.builds(
        lambda op, v: {"field": "channel", "op": op, "value": v},
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(CHANNELS), min_size=1, max_size=2),
    ),
)
trees = st.recursive(
    conditions,
    lambda inner: st.one_of(
        st.builds(lambda m: {"all": m}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda m: {"any": m}, st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=6,
)
rule_sets = st.lists(
    st.tuples(trees, st.sampled_from(["allow", "review", "block"]), st.integers(0, 3)),
    min_size=1,
    max_size=5,
)
rows = st.lists(
    st.tuples(
        numbers,
        numbers,
        numbers,
        st.sampled_from(MCCS),
        st.sampled_from(CHANNELS),
        st.sampled_from(MERCHANTS),
    ),
    min_size=1,
    max_size=12,
)
merchant_lists = st.dictionaries(
    st.sampled_from(MERCHANTS), st.sampled_from(["allow", "block"]), max_size=3
)


def holds(node: Condition | AllOf | AnyOf, row: dict[str, Any]) -> bool:
    if isinstance(node, AllOf):
        return all(holds(m, row) for m in node.members)
    if isinstance(node, AnyOf):
        return any(holds(m, row) for m in node.members)
    value = row[node.field]
    if isinstance(value, float) and math.isnan(value):
        return False
    compare: dict[Op, Callable[[Any, Any], bool]] = {
        Op.GT: operator.gt,
        Op.GE: operator.ge,
        Op.LT: operator.lt,
        Op.LE: operator.le,
        Op.EQ: operator.eq,
        Op.NE: operator.ne,
        Op.IN: lambda a, b: a in b,
        Op.NOT_IN: lambda a, b: a not in b,
    }
    return bool(compare[node.op](value, node.value))


def reference_hits(ruleset: RuleSet, row: dict[str, Any]) -> list[tuple[str, int, Decision]]:
    """A row's hits, one at a time: its merchant's list entry, then the rules that hold, sorted
    by priority, then the stricter action, otherwise in that order."""
    found = [
        (f"{e.action}_list:merchant", LIST_PRIORITY[e.action], Decision(e.action))
        for e in ruleset.lists
        if e.value == row["merchant_id"]
    ]
    found += [(r.name, r.priority, r.action) for r in ruleset.rules if holds(r.when, row)]
    return sorted(found, key=lambda hit: (-hit[1], -SEVERITY[hit[2]]))


def reference(ruleset: RuleSet, row: dict[str, Any], model_block: bool) -> Decision:
    hits = reference_hits(ruleset, row)
    if not hits:
        return Decision.BLOCK if model_block else Decision.ALLOW
    decision = hits[0][2]
    return Decision.BLOCK if decision is Decision.REVIEW and model_block else decision


@settings(max_examples=150, deadline=None)
@given(rule_sets, merchant_lists, rows, st.lists(st.booleans(), min_size=12, max_size=12))
def test_vectorised_equals_per_transaction(
    specs: list[tuple[dict[str, Any], str, int]],
    listed: dict[str, str],
    batch: list[tuple[float, float, float, str, str, str]],
    blocks: list[bool],
) -> None:
    """Each row's decision and its hits, in order, are what the rules and lists give it alone."""
    entries = [
        {"kind": "merchant", "value": m, "action": a, "reason": "r"} for m, a in listed.items()
    ]
    specified = (rule(f"r{i}", a, p, **t) for i, (t, a, p) in enumerate(specs))
    ruleset = rules(*specified, lists=entries)
    names = (*NUMERIC, *CATEGORY)
    table = [dict(zip(names, values, strict=True)) for values in batch]
    cols = {n: np.asarray([r[n] for r in table], dtype=object if n in CATEGORY else float)
            for n in names}  # fmt: skip
    model_block = np.asarray(blocks[: len(table)], dtype=bool)
    out = decide(ruleset, cols, model_block, NOW)
    expected = [reference(ruleset, r, b) for r, b in zip(table, model_block.tolist(), strict=True)]
    assert out.decisions == expected
    assert [[(h.name, h.priority, h.action) for h in row] for row in out.hits] == [
        reference_hits(ruleset, r) for r in table
    ]
