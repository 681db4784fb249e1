"""Loads training data into the canonical frame: `transaction_id`, `card_id`, `terminal_id`,
`amount`, `event_time` (UTC), `label`, and `channel` / `scenario` where the source has them.

Sources: the simulator's upload + labels CSVs, the handbook's Parquet, or any CSV/Parquet through
a column-mapping YAML. Card numbers are hashed on load: the frame never holds one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict

from cardwatch_ml.features_offline import from_handbook
from cardwatch_ml.simulator import Simulation


class ColumnMapping(BaseModel):
    """How a foreign file's columns map onto ours (YAML)."""

    model_config = ConfigDict(extra="forbid")

    transaction_id: str
    card_id: str
    terminal_id: str
    amount: str
    timestamp: str
    label: str
    channel: str | None = None
    delimiter: str = ","
    timestamp_format: str | None = None
    card_id_is_card_number: bool = False


def _hash_cards(column: pl.Expr) -> pl.Expr:
    return column.map_elements(
        lambda pan: hashlib.sha256(str(pan).encode()).hexdigest()[:24], return_dtype=pl.String
    )


def from_upload(csv_path: Path, labels_path: Path) -> pl.DataFrame:
    """The project's upload CSV joined with a labels CSV (transaction_id,label[,scenario])."""
    rows = pl.read_csv(csv_path, schema_overrides={"card_number": pl.String, "mcc": pl.String})
    labels = pl.read_csv(labels_path)
    frame = rows.join(labels, on="transaction_id", how="inner").select(
        "transaction_id",
        _hash_cards(pl.col("card_number")).alias("card_id"),
        "terminal_id",
        pl.col("amount").cast(pl.Float64),
        pl.col("timestamp").str.to_datetime(time_zone="UTC").alias("event_time"),
        pl.col("label").cast(pl.Int64),
        "channel",
        *(["scenario"] if "scenario" in labels.columns else []),
    )
    return frame.sort("event_time", "transaction_id")


def from_mapping(data_path: Path, mapping_path: Path) -> pl.DataFrame:
    """A foreign CSV or Parquet file through its column mapping."""
    mapping = ColumnMapping.model_validate(yaml.safe_load(mapping_path.read_text(encoding="utf-8")))
    if data_path.suffix == ".parquet":
        raw = pl.read_parquet(data_path)
    else:
        raw = pl.read_csv(data_path, separator=mapping.delimiter, infer_schema_length=10_000)
    ts = pl.col(mapping.timestamp)
    if raw.schema[mapping.timestamp] == pl.String:
        ts = ts.str.to_datetime(format=mapping.timestamp_format)
    card = pl.col(mapping.card_id)
    columns = [
        pl.col(mapping.transaction_id).alias("transaction_id"),
        (_hash_cards(card) if mapping.card_id_is_card_number else card).alias("card_id"),
        pl.col(mapping.terminal_id).alias("terminal_id"),
        pl.col(mapping.amount).cast(pl.Float64).alias("amount"),
        ts.alias("event_time"),
        pl.col(mapping.label).cast(pl.Int64).alias("label"),
    ]
    if mapping.channel:
        columns.append(pl.col(mapping.channel).alias("channel"))
    frame = raw.select(columns)
    tz = frame.schema["event_time"]
    if isinstance(tz, pl.Datetime) and tz.time_zone is None:
        frame = frame.with_columns(pl.col("event_time").dt.replace_time_zone("UTC"))
    return frame.sort("event_time", "transaction_id")


def handbook(path: Path) -> pl.DataFrame:
    """The handbook data set (its scenario column is dropped: never a feature)."""
    return from_handbook(pl.read_parquet(path))


def fingerprint(frame: pl.DataFrame) -> str:
    """SHA-256 of the training rows' content (ids, amounts, times, labels)."""
    digest = hashlib.sha256()
    for column in ("transaction_id", "amount", "event_time", "label"):
        digest.update(frame[column].cast(pl.String).str.join("\x1f").item().encode())
    return digest.hexdigest()


def from_simulation(sim: Simulation, *, with_scenario: bool = False) -> pl.DataFrame:
    """A simulation in the canonical frame (the card number hashed, like every other source)."""
    frame = sim.transactions.join(sim.labels, on="transaction_id").select(
        "transaction_id",
        _hash_cards(pl.col("card_number")).alias("card_id"),
        "terminal_id",
        "amount",
        pl.col("timestamp").alias("event_time"),
        "label",
        "channel",
        *(["scenario"] if with_scenario else []),
    )
    return frame.sort("event_time", "transaction_id")
