"""What the system saw, as training data: every verdict's transaction (from the verdicts table)
joined with the labels known at a cut-off (from the labels table), in the canonical frame.

A transaction without a fraud label known by the cut-off counts as legitimate, as in the
handbook's protocol; the card is its HMAC token (the store never held a card number). Each label
keeps when it became known (`label_known_at`), so that terminal risk is computed as the scorer saw
it then, not with labels that arrived later.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

VERDICT_COLUMNS = ("transaction_id", "card_token", "terminal_id", "amount", "event_time", "channel")


def _scan(dynamodb: Any, table: str, projection: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    names = {f"#c{i}": c for i, c in enumerate(projection)}
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table,
        ProjectionExpression=", ".join(names),
        ExpressionAttributeNames=names,
    )
    for page in pages:
        yield from page["Items"]


def _utc(column: str) -> pl.Expr:
    return pl.col(column).str.to_datetime(time_zone="UTC", time_unit="us")


def seen_transactions(dynamodb: Any, verdicts_table: str, cutoff: datetime) -> pl.DataFrame:
    """Every scored transaction up to `cutoff`, oldest first."""
    rows = [
        {name: next(iter(item[name].values())) for name in VERDICT_COLUMNS}
        for item in _scan(dynamodb, verdicts_table, VERDICT_COLUMNS)
    ]
    schema = dict.fromkeys(VERDICT_COLUMNS, pl.String)
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return (
        frame.select(
            "transaction_id",
            pl.col("card_token").alias("card_id"),
            "terminal_id",
            pl.col("amount").cast(pl.Float64),
            _utc("event_time").alias("event_time"),
            "channel",
        )
        .filter(pl.col("event_time") <= cutoff)
        .sort("event_time", "transaction_id")
    )


def known_labels(dynamodb: Any, labels_table: str, cutoff: datetime) -> pl.DataFrame:
    """Labels known by `cutoff`: transaction_id, label (1 fraud, 0 legit), label_known_at."""
    columns = ("transaction_id", "label", "known_at")
    rows = [[item[c]["S"] for c in columns] for item in _scan(dynamodb, labels_table, columns)]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")
    return frame.filter(_utc("known_at") <= cutoff).select(
        "transaction_id",
        (pl.col("label") == "fraud").cast(pl.Int64).alias("label"),
        _utc("known_at").alias("label_known_at"),
    )


def export(dynamodb: Any, verdicts_table: str, labels_table: str, cutoff: datetime) -> pl.DataFrame:
    """The canonical training frame of what the system saw, labels as known at `cutoff`."""
    seen = seen_transactions(dynamodb, verdicts_table, cutoff)
    labels = known_labels(dynamodb, labels_table, cutoff)
    joined = seen.join(labels, on="transaction_id", how="left")
    return joined.with_columns(pl.col("label").fill_null(0)).select(
        "transaction_id",
        "card_id",
        "terminal_id",
        "amount",
        "event_time",
        "label",
        "label_known_at",
        "channel",
    )


@dataclass(frozen=True)
class StoreHandles:
    """Where a deployed (or local) stack keeps what retraining reads and writes."""

    dynamodb: Any
    s3: Any
    verdicts_table: str
    labels_table: str
    models_bucket: str
