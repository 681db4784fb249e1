"""The rule-set contract refuses what the engine could not apply, and never a card number."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from cardwatch_shared.contracts import ListEntry, RuleSet
from cardwatch_shared.contracts.rule_set import depth
from cardwatch_shared.rule_registry import describe_errors
from tests.support.cards import TEST_PANS

pytestmark = pytest.mark.unit


def one_rule(when: Any, **extra: Any) -> dict[str, Any]:
    return {"rules": [{"name": "r", "description": "d", "when": when, "action": "block", **extra}]}


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        ({"field": "balance", "op": "gt", "value": 1}, "unknown field 'balance'"),
        ({"field": "mcc", "op": "gt", "value": "5411"}, "mcc is a category"),
        ({"field": "amount", "op": "gt", "value": "100"}, "amount is a number"),
        ({"field": "amount", "op": "in", "value": []}, "non-empty list"),
        ({"field": "amount", "op": "eq", "value": [1, 2]}, "not a list"),
        ({"field": "channel", "op": "in", "value": [1.0]}, "list of strings"),
        ({"all": []}, "at least 1 item"),
    ],
)
def test_bad_conditions_are_refused_with_a_reason(when: Any, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RuleSet.model_validate(one_rule(when))
    assert any(reason in why for _, why in describe_errors(caught.value))


def test_nesting_is_bounded() -> None:
    when: dict[str, Any] = {"field": "amount", "op": "gt", "value": 1}
    for _ in range(4):
        when = {"all": [when]}
    assert depth(RuleSet.model_validate(one_rule(when["all"][0])).rules[0].when) == 4
    with pytest.raises(ValidationError, match="deeper than 4"):
        RuleSet.model_validate(one_rule(when))


def test_names_and_list_keys_are_unique() -> None:
    rule = one_rule({"field": "amount", "op": "gt", "value": 1})["rules"][0]
    with pytest.raises(ValidationError, match="unique: r"):
        RuleSet.model_validate({"rules": [rule, rule]})
    entry = {"kind": "terminal", "value": "T1", "action": "block", "reason": "x"}
    with pytest.raises(ValidationError, match="only once"):
        RuleSet.model_validate({"lists": [entry, entry | {"action": "allow"}]})


def test_a_card_entry_takes_a_token_and_the_error_never_echoes_a_number() -> None:
    pan = TEST_PANS[1]
    with pytest.raises(ValidationError) as caught:
        ListEntry.model_validate({"kind": "card", "value": pan, "action": "block", "reason": "x"})
    described = str(describe_errors(caught.value))
    assert "never a number" in described
    assert pan not in described


def test_with_entry_replaces_the_same_key_and_validates() -> None:
    first = ListEntry.model_validate(
        {"kind": "terminal", "value": "T1", "action": "block", "reason": "x"}
    )
    again = first.model_copy(update={"action": "allow"})
    rules = RuleSet().with_entry(first).with_entry(again)
    assert [e.action for e in rules.lists] == ["allow"]


def test_aliases_round_trip() -> None:
    doc = one_rule({"any": [{"field": "score", "op": "ge", "value": 0.9}]})
    rules = RuleSet.model_validate(doc)
    assert RuleSet.model_validate_json(rules.model_dump_json(by_alias=True)) == rules
