"""Score drift in the scorer: each batch's new scores go into the day's histogram of the live
model, the PSI against its validation scores is a metric, and a replay does not count twice."""

from __future__ import annotations

import json
import random
import time

import pytest

from cardwatch_shared.aws_clients import client
from cardwatch_shared.drift_reading import live_manifest, read_drift
from cardwatch_shared.score_drift import PSI_ALARM, PSI_WATCH
from tests.integration.scorer.conftest import BUCKET, STATE, ScorerStack
from tests.support.transactions import transaction

pytestmark = pytest.mark.integration


def _metric(stdout: str, name: str) -> list[float]:
    values: list[float] = []
    for line in stdout.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            values += json.loads(line).get(name, [])
    return values


def test_scores_like_validation_are_stable_and_a_shift_is_drift(
    scorer_stack: ScorerStack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CARDWATCH_DRIFT_MIN_SCORES", "100")
    rng = random.Random(3)
    # the live model (amount_model) was validated on amounts uniform in 1..1000
    usual = [transaction(i, card=f"u{i}", amount=f"{rng.uniform(1, 1000):.2f}") for i in range(250)]
    event = scorer_stack.event_for(usual)
    scorer_stack.invoke(event)
    manifest = live_manifest(client("s3"), BUCKET)
    assert manifest is not None
    assert manifest.score_bin_shares
    today = read_drift(client("dynamodb"), STATE, manifest, time.time())
    assert today is not None
    assert today.scores == 250
    assert today.psi < PSI_WATCH
    (emitted,) = _metric(capsys.readouterr().out, "ScoreDriftPSI")
    assert emitted == pytest.approx(today.psi)

    scorer_stack.invoke(event)  # a replay: no new verdict, nothing counted
    replayed = read_drift(client("dynamodb"), STATE, manifest, time.time())
    assert replayed is not None
    assert replayed.scores == 250

    high = [transaction(1000 + i, card=f"h{i}", amount="990.00") for i in range(250)]
    scorer_stack.invoke(scorer_stack.event_for(high))
    drifted = read_drift(client("dynamodb"), STATE, manifest, time.time())
    assert drifted is not None
    assert drifted.scores == 500
    assert drifted.psi > PSI_ALARM
    assert "drifted" in drifted.describe()
    assert _metric(capsys.readouterr().out, "ScoreDriftPSI")[-1] == pytest.approx(drifted.psi)
