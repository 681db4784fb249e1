"""The feedback demo's weekly retraining against moto: a candidate trained from the store goes
live only when it beats the live model; its threshold meets the analysts' review budget (a share
of the last week's traffic); with no labelled fraud there is nothing to train and the live model
stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest

from cardwatch_local.feedback_retraining import REVIEW_SHARE, alert_budget_per_day, retrain_step
from cardwatch_local.stack import LocalStack
from cardwatch_ml.bundle import BundleStore
from cardwatch_shared.aws_clients import client
from tests.support.models import amount_model, publish
from tests.support.store_history import store_what_the_system_saw
from tests.support.tables import create_table

pytestmark = pytest.mark.integration
BUCKET, VERDICTS, LABELS = "fr-models", "fr-verdicts", "fr-labels"


def _stack(aws_endpoint: str) -> tuple[LocalStack, dict[str, Any]]:
    clients = {name: client(name) for name in ("dynamodb", "s3")}
    create_table(clients["dynamodb"], "VerdictsTable", VERDICTS)
    create_table(clients["dynamodb"], "LabelsTable", LABELS)
    clients["s3"].create_bucket(Bucket=BUCKET)
    outputs = {
        "TransactionsBucketName": BUCKET,
        "VerdictsTableName": VERDICTS,
        "LabelsTableName": LABELS,
    }
    return LocalStack("test", outputs, {}, (), (), aws_endpoint, ()), clients


def _cutoff(seen: pl.DataFrame) -> datetime:
    last: datetime = seen["timestamp"].max()  # type: ignore[assignment]
    day = last.date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def test_a_better_candidate_goes_live_and_the_same_data_does_not_replace_it(
    aws_endpoint: str,
) -> None:
    stack, clients = _stack(aws_endpoint)
    seen = store_what_the_system_saw(VERDICTS, LABELS)
    publish(clients["s3"], BUCKET, amount_model("go-live", cutoff=300.0))
    cutoff = _cutoff(seen)
    store = BundleStore(clients["s3"], BUCKET)

    first = retrain_step(stack, clients, cutoff)

    assert first.outcome == "promoted", first.why
    assert first.candidate is not None
    assert store.current().version == first.candidate  # type: ignore[union-attr]
    assert first.candidate_ap is not None
    assert first.live_ap is not None
    assert first.candidate_ap > first.live_ap
    assert first.transactions == seen.height
    week = seen.filter(pl.col("timestamp") >= cutoff - timedelta(days=7))
    assert first.alerts_per_day == pytest.approx(REVIEW_SHARE * week.height / 7)
    goal = store.manifest(first.candidate).threshold_goal
    assert goal == f"{first.alerts_per_day:g} alerts per day on validation"
    assert store.manifest(first.candidate).uses_labels  # the labels now feed terminal risk

    again = retrain_step(stack, clients, cutoff)

    assert again.outcome == "kept the live model", again.why
    assert again.candidate_ap == pytest.approx(again.live_ap)
    assert store.current().version == first.candidate  # type: ignore[union-attr]


def test_without_labels_nothing_is_trained_and_the_live_model_stays(aws_endpoint: str) -> None:
    stack, clients = _stack(aws_endpoint)
    seen = store_what_the_system_saw(VERDICTS, LABELS, with_labels=False)
    publish(clients["s3"], BUCKET, amount_model("go-live"))

    step = retrain_step(stack, clients, _cutoff(seen))

    assert step.outcome == "cannot retrain"
    assert step.labelled_fraud == 0
    assert step.transactions == seen.height
    assert step.candidate is None
    store = BundleStore(clients["s3"], BUCKET)
    assert [m.version for m in store.versions()] == ["go-live"]  # nothing published
    assert store.current().version == "go-live"  # type: ignore[union-attr]


def test_the_alert_budget_is_at_least_one_a_day(aws_endpoint: str) -> None:
    _stack(aws_endpoint)
    assert alert_budget_per_day(client("dynamodb"), VERDICTS, datetime.now(UTC)) == 1.0
