"""What a stack's store holds after weeks of traffic: simulated transactions as the scorer's
verdicts, and their fraud labels as chargebacks recorded them, for retraining tests."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import polars as pl

from cardwatch_ml.simulator import SimulationConfig, simulate
from cardwatch_shared.aws_clients import resource

LABEL_DELAY = timedelta(days=3)


def store_what_the_system_saw(
    verdicts_table: str, labels_table: str, *, with_labels: bool = True
) -> pl.DataFrame:
    """Write 40 simulated days as verdicts and, `with_labels`, each
    fraud's label known LABEL_DELAY after it; return the transactions with their labels."""
    sim = simulate(SimulationConfig(cards=80, terminals=160, days=40, seed=11))
    seen = sim.transactions.join(sim.labels, on="transaction_id")
    dynamodb = resource("dynamodb")
    with dynamodb.Table(verdicts_table).batch_writer() as batch:
        for row in seen.iter_rows(named=True):
            batch.put_item(
                Item={
                    "transaction_id": row["transaction_id"],
                    "card_token": hashlib.sha256(row["card_number"].encode()).hexdigest(),
                    "terminal_id": row["terminal_id"],
                    "amount": f"{row['amount']:.2f}",
                    "event_time": row["timestamp"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "channel": row["channel"],
                }
            )
    if not with_labels:
        return seen
    with dynamodb.Table(labels_table).batch_writer() as batch:
        for row in seen.filter(pl.col("label") == 1).iter_rows(named=True):
            batch.put_item(
                Item={
                    "transaction_id": row["transaction_id"],
                    "label": "fraud",
                    "source": "chargeback",
                    "known_at": (row["timestamp"] + LABEL_DELAY).isoformat(),
                }
            )
    return seen
