"""Rule-set files: the committed example is valid; a broken one names each line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from cardwatch_local.rules_file import RuleSetFileError, parse_rules, read_rules

pytestmark = pytest.mark.unit
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "rules" / "example.yaml"

BROKEN = """\
description: two problems
rules:
  - name: fine
    description: ok
    when: { field: amount, op: gt, value: 5 }
    action: block
  - name: broken
    description: a typo and an unknown action
    when:
      any:
        - { field: amount, op: gt, value: 5 }
        - { field: amount_today, op: gt, value: 5 }
    action: explode
"""


def test_the_committed_example_is_valid() -> None:
    rules = read_rules(EXAMPLE)
    assert len(rules.rules) == 6
    assert {r.action.value for r in rules.rules} == {"allow", "review", "block"}


def test_every_problem_is_reported_with_its_line() -> None:
    with pytest.raises(RuleSetFileError) as caught:
        parse_rules(BROKEN, Path("broken.yaml"))
    problems = {(p.line, p.where) for p in caught.value.problems}
    assert problems == {(12, "rules.1.when.any.1"), (13, "rules.1.action")}
    assert "unknown field 'amount_today'" in str(caught.value)
    assert str(caught.value).startswith("broken.yaml is not a valid rule set")


def test_json_is_read_too_and_syntax_errors_have_a_line() -> None:
    good = '{"rules": [{"name": "a", "description": "d", "action": "review",\n'
    good += '  "when": {"field": "score", "op": "ge", "value": 0.4}}]}'
    assert parse_rules(good).rules[0].name == "a"
    with pytest.raises(RuleSetFileError) as caught:
        parse_rules('{"rules": [\n{"name": "a"\n')
    assert caught.value.problems[0].line == 3
    with pytest.raises(RuleSetFileError, match="a mapping"):
        parse_rules("- just\n- a list\n")
