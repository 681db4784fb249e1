"""Rule-set files: the committed example is valid; a broken one names each line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cardwatch_local.cli import app
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


def test_publish_refuses_a_broken_file_before_touching_any_stack(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "rules:\n  - name: Bad\n    description: x\n"
        '    when: {field: amount, op: gt, value: "lots"}\n    action: block\n'
    )
    result = CliRunner().invoke(app, ["rules", "publish", str(broken)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "line 2: rules.0.name: name must be a lower-case letter, then lower-case letters" in (
        result.output
    )
    assert "line 4: rules.0.when: amount is a number: compare it with a number" in result.output
