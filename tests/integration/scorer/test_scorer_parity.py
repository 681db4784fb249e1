"""Online/offline parity through the scorer: a simulated history scored batch by batch against
moto gets the features the offline pipeline computes for it."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from cardwatch_ingest.row_conversion import PayloadBuilder
from cardwatch_ml.features_offline import compute_features
from cardwatch_ml.simulator import Simulation, SimulationConfig, simulate
from cardwatch_scorer import handler
from cardwatch_scorer.batch import process_batch
from cardwatch_shared.aws_clients import client
from cardwatch_shared.card_number import Tokenizer
from cardwatch_shared.contracts.label import Label, LabelSource, LabelValue
from cardwatch_shared.contracts.transaction_row import FUTURE_TOLERANCE
from cardwatch_shared.features.spec import SPEC
from cardwatch_shared.label_store import LabelOutcome, LabelStore
from tests.integration.scorer.conftest import BUCKET, STATE, VERDICTS, ScorerStack
from tests.support.fast_rows import accept_row
from tests.support.kinesis_events import lambda_kinesis_event, put_and_read
from tests.support.models import FEATURES, amount_model, publish
from tests.support.tables import create_table

pytestmark = pytest.mark.integration
Features = dict[str, float]
LABELS = "cw-parity-labels"
LABEL_FEATURES = list(SPEC.feature_names(with_labels=True, with_channel=True))


def _built(sim: Simulation) -> list[tuple[str, str, bytes]]:
    """The simulation's rows as ingest builds them: (transaction id, partition key, payload)."""
    rows = sim.transactions.with_columns(
        pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        pl.col("amount").map_elements(lambda a: f"{a:.2f}", return_dtype=pl.String),
        pl.col("latitude").cast(pl.String),
        pl.col("longitude").cast(pl.String),
    )
    latest = datetime.now(UTC) + FUTURE_TOLERANCE
    builder = PayloadBuilder(
        Tokenizer(bytes(32)), "b", "incoming/sim.csv", "b/sim@e", datetime.now(UTC)
    )
    built = []
    for number, raw in enumerate(rows.iter_rows(named=True), start=1):
        row = accept_row(raw, latest)
        assert row is not None
        built.append(builder.build(row, number))
    return built


def _score(scorer_stack: ScorerStack, built: list[tuple[str, str, bytes]]) -> dict[str, Features]:
    """Score the rows through the scorer's batch path, 200 a batch; the features it used."""
    _, store, models, _ = handler.runtime()
    online: dict[str, Features] = {}
    for start in range(0, len(built), 200):
        chunk = built[start : start + 200]
        records = put_and_read(
            scorer_stack.kinesis, "cw-tx", [p for _, _, p in chunk], [t for _, t, _ in chunk]
        )
        outcome = process_batch(
            lambda_kinesis_event(records, scorer_stack.stream_arn)["Records"],
            store,
            models,
            keep_ids=500,
        )
        assert not outcome.failures
        assert outcome.scored is not None
        assert outcome.scored.features is not None
        for tx_id, values in zip(
            outcome.scored.feature_ids, outcome.scored.features.to_dict("records"), strict=True
        ):
            online[tx_id] = {str(k): float(v) for k, v in values.items()}
    return online


def _offline_input(sim: Simulation) -> pl.DataFrame:
    return sim.transactions.select(
        "transaction_id",
        pl.col("card_number").alias("card_id"),
        "terminal_id",
        "amount",
        pl.col("timestamp").alias("event_time"),
        "channel",
    )


def _assert_same(
    online: dict[str, Features], offline_frame: pl.DataFrame, names: list[str]
) -> None:
    offline = {
        r["transaction_id"]: r for r in compute_features(offline_frame).iter_rows(named=True)
    }
    for tx_id, features in online.items():
        for name in names:
            a, b = features[name], offline[tx_id][name]
            assert (math.isnan(a) and math.isnan(b)) or math.isclose(
                a, b, rel_tol=1e-9, abs_tol=1e-9
            ), (tx_id, name, a, b)


def test_scorer_features_equal_offline_features(scorer_stack: ScorerStack) -> None:
    sim = simulate(SimulationConfig(cards=40, terminals=60, days=12, seed=11))
    online = _score(scorer_stack, _built(sim))
    assert len(online) == sim.transactions.height
    _assert_same(online, _offline_input(sim), FEATURES)


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def _known_days(truth: pl.DataFrame) -> dict[str, tuple[date, date]]:
    """Per fraud: its day and the day its outcome arrives, 2 to 10 days later (some after the
    label delay of 7)."""
    out = {}
    for tx, day in truth.filter(pl.col("label") == 1).select("transaction_id", "day").rows():
        lag = 2 + hashlib.sha256(tx.encode()).digest()[0] % 9
        out[tx] = (day, day + timedelta(days=lag))
    return out


def _fraud(transaction_id: str, known_day: date) -> Label:
    return Label(
        transaction_id=transaction_id,
        label=LabelValue.FRAUD,
        source=LabelSource.CHARGEBACK,
        known_at=_noon(known_day),
    )


def test_terminal_risk_equals_offline_with_labels_as_known_at_each_day(
    scorer_stack: ScorerStack,
) -> None:
    """Day by day: score the day, then record the outcomes that became known that day. Offline,
    with each label's `label_known_at`, computes the same terminal risk for every transaction,
    including those whose window holds a fraud whose label came later than the delay."""
    create_table(client("dynamodb"), "LabelsTable", LABELS)
    publish(scorer_stack.s3, BUCKET, amount_model("m-parity-labels", with_labels=True))
    labels = LabelStore(client("dynamodb"), LABELS, STATE, VERDICTS)
    sim = simulate(SimulationConfig(cards=30, terminals=20, days=20, seed=5))
    truth = sim.transactions.join(sim.labels, on="transaction_id").with_columns(
        pl.col("timestamp").dt.date().alias("day")
    )
    known = _known_days(truth)
    late = [tx for tx, (day, on) in known.items() if (on - day).days > SPEC.label_delay_days]
    assert late  # some outcomes come after the label delay: the case this test is about
    built = {row[0]: row for row in _built(sim)}
    online: dict[str, Features] = {}
    for (day,), part in truth.group_by("day", maintain_order=True):
        online |= _score(scorer_stack, [built[tx] for tx in part["transaction_id"]])
        for tx in (tx for tx, (_, on) in known.items() if on == day):
            assert labels.record(_fraud(tx, day)) is LabelOutcome.APPLIED
    when_known = pl.DataFrame(
        {"transaction_id": list(known), "label_known_at": [_noon(on) for _, on in known.values()]}
    )
    offline_frame = (
        _offline_input(sim)
        .join(when_known, on="transaction_id", how="left")
        .with_columns(pl.col("label_known_at").is_not_null().cast(pl.Int64).alias("label"))
    )
    assert len(online) == truth.height
    assert any(f["terminal_risk_7d"] > 0 for f in online.values())  # the labels reached it
    _assert_same(online, offline_frame, LABEL_FEATURES)
