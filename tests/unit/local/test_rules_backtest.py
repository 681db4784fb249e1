"""The backtest replays a rule set on stored verdicts with the scorer's engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from cardwatch_local.rules_backtest import backtest, read_labels
from cardwatch_shared.contracts import RuleSet
from tests.support.verdicts import sample_verdict

pytestmark = pytest.mark.unit

CANDIDATE = RuleSet.model_validate(
    {
        "rules": [
            {
                "name": "burst",
                "description": "many today",
                "when": {"field": "card_count_1d", "op": "ge", "value": 5},
                "action": "block",
                "priority": 10,
            }
        ]
    }
)


def test_hits_precision_and_changes_against_the_live_set(tmp_path: Path) -> None:
    verdicts = [
        sample_verdict(i, score=0.1, threshold=0.5, features={"card_count_1d": float(i)})
        for i in range(8)
    ]  # cards with 5, 6, 7 transactions today fire the rule; the model blocks none
    labels_csv = tmp_path / "labels.csv"
    labels_csv.write_text(
        "transaction_id,label,scenario\ntx-00005,1,4\ntx-00006,0,0\ntx-00007,1,4\ntx-00001,1,2\n"
    )
    labels = read_labels(labels_csv)
    result = backtest(CANDIDATE, RuleSet(), verdicts, labels)
    assert result.transactions == 8
    assert result.labelled == 4
    (line,) = result.rules
    assert (line.hits, line.decided, line.labelled, line.frauds) == (3, 3, 3, 2)
    assert line.precision == pytest.approx(2 / 3)
    assert result.candidate.decisions == {"block": 3, "allow": 5}
    assert (result.candidate.tp, result.candidate.fp, result.candidate.fn) == (2, 1, 1)
    assert result.live.decisions == {"allow": 8}
    assert result.live.recall == 0
    assert result.changed == {("allow", "block"): 3}
