"""Labels feed the terminals' fraud risk online: through the label store into the state table,
read by the scorer with the training's label delay; exactly once however often delivered."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from cardwatch_shared.aws_clients import client
from cardwatch_shared.contracts.label import Label, LabelSource, LabelValue
from cardwatch_shared.features.spec import SECONDS_PER_DAY, SPEC
from cardwatch_shared.label_store import MAX_ATTEMPTS, LabelOutcome, LabelStore
from cardwatch_shared.review_queue import DEFAULT_GREY_ZONE, ReviewQueue
from cardwatch_shared.verdict_item import from_item
from tests.integration.scorer.conftest import BUCKET, STATE, VERDICTS, ScorerStack
from tests.support.aws_faults import ContendedTransactions
from tests.support.models import amount_model, publish
from tests.support.tables import create_table
from tests.support.transactions import T0, transaction

pytestmark = pytest.mark.integration
LABELS = "cw-labels"
DAY = timedelta(days=1)


@pytest.fixture
def labels(scorer_stack: ScorerStack) -> LabelStore:
    dynamodb = client("dynamodb")
    create_table(dynamodb, "LabelsTable", LABELS)
    publish(scorer_stack.s3, BUCKET, amount_model("m-labels", with_labels=True))
    return LabelStore(dynamodb, LABELS, STATE, VERDICTS)


def label(transaction_id: str, value: LabelValue, known_days: float) -> Label:
    return Label(
        transaction_id=transaction_id,
        label=value,
        source=LabelSource.CHARGEBACK,
        known_at=T0 + known_days * DAY,
    )


def _risk(stack: ScorerStack, transaction_id: str) -> float:
    features: dict[str, float] = json.loads(stack.verdicts()[transaction_id]["features"])
    return features["terminal_risk_7d"]


def _fraud_count(stack: ScorerStack, terminal: str, day: int) -> int:
    return int(stack.state()[f"terminal#{terminal}"].get(f"f_{day}", 0))


def test_a_label_moves_terminal_risk_after_the_delay_and_not_before(
    scorer_stack: ScorerStack, labels: LabelStore
) -> None:
    assert SPEC.label_delay_days == 7
    # Each terminal: one transaction ten days before day 0, three on day 0 (one labelled fraud).
    plan = [(t, days, n) for t in ("T-L", "T-C") for days, n in ((-10, 1), (0, 3))]
    history = [
        transaction(len(plan) * 10 + i * 10 + k, card=f"c{i}{k}", terminal_id=terminal,
                    event_time=T0 + days * DAY + timedelta(minutes=k))
        for i, (terminal, days, n) in enumerate(plan)
        for k in range(n)
    ]  # fmt: skip
    scorer_stack.invoke(scorer_stack.event_for(history))
    labelled = history[1].transaction_id  # the first on T-L on day 0
    assert labels.record(label(labelled, LabelValue.FRAUD, 1)) is LabelOutcome.APPLIED

    later = [
        transaction(100 + i, card=f"n{i}", terminal_id=terminal, event_time=T0 + days * DAY)
        for i, (terminal, days) in enumerate([("T-L", 3), ("T-C", 3), ("T-L", 8), ("T-C", 8)])
    ]
    scorer_stack.invoke(scorer_stack.event_for(later))
    within_l, within_c, after_l, after_c = (tx.transaction_id for tx in later)
    assert _risk(scorer_stack, within_l) == _risk(scorer_stack, within_c) == 0.0
    assert _risk(scorer_stack, after_c) == 0.0
    assert _risk(scorer_stack, after_l) == pytest.approx(1 / 3)


def test_a_label_counts_once_and_a_later_one_replaces_it(
    scorer_stack: ScorerStack, labels: LabelStore
) -> None:
    tx = transaction(0, terminal_id="T-R")
    scorer_stack.invoke(scorer_stack.event_for([tx]))
    day = int(tx.event_time.timestamp()) // SECONDS_PER_DAY
    fraud = label(tx.transaction_id, LabelValue.FRAUD, 2)
    assert labels.record(fraud) is LabelOutcome.APPLIED
    assert labels.record(fraud) is LabelOutcome.UNCHANGED
    assert labels.record(label(tx.transaction_id, LabelValue.LEGIT, 1)) is LabelOutcome.UNCHANGED
    assert _fraud_count(scorer_stack, "T-R", day) == 1
    card_risk = f"cardrisk#{tx.card_token}"
    assert scorer_stack.state()[card_risk][f"f_{day}"] == 1  # the card counts it too
    assert labels.record(label(tx.transaction_id, LabelValue.LEGIT, 3)) is LabelOutcome.APPLIED
    assert _fraud_count(scorer_stack, "T-R", day) == 0
    assert scorer_stack.state()[card_risk][f"f_{day}"] == 0
    stored = labels.get(tx.transaction_id)
    assert stored is not None
    assert stored.label is LabelValue.LEGIT


def test_a_label_known_after_the_state_window_is_stored_but_not_counted(
    scorer_stack: ScorerStack, labels: LabelStore
) -> None:
    """The window is measured from when the label became known, not from the clock: old days
    replayed today count as they would have then."""
    on_time, too_late = transaction(0, terminal_id="T-W"), transaction(1, terminal_id="T-W")
    scorer_stack.invoke(scorer_stack.event_for([on_time, too_late]))
    day = int(on_time.event_time.timestamp()) // SECONDS_PER_DAY
    within = SPEC.state_days - 1
    assert labels.record(label(on_time.transaction_id, LabelValue.FRAUD, within))
    assert labels.record(label(too_late.transaction_id, LabelValue.FRAUD, SPEC.state_days + 1))
    assert _fraud_count(scorer_stack, "T-W", day) == 1
    stored = labels.get(too_late.transaction_id)
    assert stored is not None
    assert stored.label is LabelValue.FRAUD


def test_a_label_conflicting_with_other_writes_is_retried_until_it_lands(
    scorer_stack: ScorerStack, labels: LabelStore
) -> None:
    tx = transaction(0, terminal_id="T-X")
    scorer_stack.invoke(scorer_stack.event_for([tx]))
    contended = ContendedTransactions(client("dynamodb"), conflicts=MAX_ATTEMPTS - 1)
    pauses: list[float] = []
    store = LabelStore(contended, LABELS, STATE, VERDICTS, pause=pauses.append)
    assert store.record(label(tx.transaction_id, LabelValue.FRAUD, 2)) is LabelOutcome.APPLIED
    assert contended.cancelled == MAX_ATTEMPTS - 1
    assert pauses == sorted(pauses)  # growing pauses between attempts
    assert pauses[0] > 0
    day = int(tx.event_time.timestamp()) // SECONDS_PER_DAY
    assert _fraud_count(scorer_stack, "T-X", day) == 1


def test_a_label_without_a_verdict_is_refused(labels: LabelStore) -> None:
    outcome = labels.record(label("tx-nobody", LabelValue.FRAUD, 1))
    assert outcome is LabelOutcome.UNKNOWN_TRANSACTION
    assert labels.get("tx-nobody") is None


def test_flagged_and_grey_zone_verdicts_queue_for_review_and_a_label_takes_them_off(
    scorer_stack: ScorerStack, labels: LabelStore
) -> None:
    amounts = ["25.00", "40.00", "440.00", "470.00", "490.00", "510.00", "900.00"]
    batch = [transaction(200 + i, card=f"q{i}", amount=a) for i, a in enumerate(amounts)]
    scorer_stack.invoke(scorer_stack.event_for(batch))
    verdicts = {tx: from_item(item) for tx, item in scorer_stack.verdicts().items()}
    queue = ReviewQueue(client("dynamodb"), VERDICTS)
    expected = {
        tx for tx, v in verdicts.items() if v.is_fraud or v.score >= v.threshold * DEFAULT_GREY_ZONE
    }
    fraud = {tx for tx, v in verdicts.items() if v.is_fraud}
    assert fraud  # each kind is there: fraud, grey zone, not queued
    assert expected - fraud
    assert set(verdicts) - expected
    pending = queue.pending()
    assert {v.transaction_id for v in pending} == expected
    assert [v.scored_at for v in pending] == sorted(v.scored_at for v in pending)  # oldest first

    reviewed = pending[0].transaction_id
    assert labels.record(label(reviewed, LabelValue.LEGIT, 1)) is LabelOutcome.APPLIED
    assert {v.transaction_id for v in queue.pending()} == expected - {reviewed}
