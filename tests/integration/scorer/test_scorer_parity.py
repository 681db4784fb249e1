"""Online/offline parity through the scorer: a simulated history scored batch by batch against
moto gets the features the offline pipeline computes for it."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import polars as pl
import pytest

from cardwatch_ingest.row_conversion import PayloadBuilder
from cardwatch_ml.features_offline import compute_features
from cardwatch_ml.simulator import SimulationConfig, simulate
from cardwatch_scorer import handler
from cardwatch_scorer.batch import process_batch
from cardwatch_shared.card_number import Tokenizer
from cardwatch_shared.contracts.transaction_row import FUTURE_TOLERANCE
from cardwatch_shared.contracts.transaction_row_fast import accept_row
from tests.integration.scorer.conftest import ScorerStack
from tests.support.kinesis_events import lambda_kinesis_event, put_and_read
from tests.support.models import FEATURES

pytestmark = pytest.mark.integration


def test_scorer_features_equal_offline_features(scorer_stack: ScorerStack) -> None:
    sim = simulate(SimulationConfig(cards=40, terminals=60, days=12, seed=11))
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
    _, store, models, _ = handler.runtime()
    online: dict[str, dict[str, float]] = {}
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
    offline_input = sim.transactions.select(
        "transaction_id",
        pl.col("card_number").alias("card_id"),
        "terminal_id",
        "amount",
        pl.col("timestamp").alias("event_time"),
        "channel",
    )
    offline = {
        r["transaction_id"]: r for r in compute_features(offline_input).iter_rows(named=True)
    }
    assert len(online) == sim.transactions.height
    for tx_id, features in online.items():
        for name in FEATURES:
            a, b = features[name], offline[tx_id][name]
            assert (math.isnan(a) and math.isnan(b)) or math.isclose(
                a, b, rel_tol=1e-9, abs_tol=1e-9
            ), (tx_id, name, a, b)
