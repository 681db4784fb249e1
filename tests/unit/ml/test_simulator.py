"""The simulator is deterministic, writes the documented upload format, and keeps labels apart."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cardwatch_ml.simulator import SimulationConfig, simulate, write_upload
from cardwatch_shared.contracts import TransactionRow
from cardwatch_shared.contracts.transaction_row import ALL_COLUMNS

pytestmark = pytest.mark.unit
SMALL = SimulationConfig(cards=200, terminals=400, days=10, seed=5)


def test_same_seed_same_data() -> None:
    first, second = simulate(SMALL), simulate(SMALL)
    assert first.transactions.equals(second.transactions)
    assert first.labels.equals(second.labels)
    other = simulate(SimulationConfig(cards=200, terminals=400, days=10, seed=6))
    assert not first.transactions.equals(other.transactions)


def test_every_scenario_appears() -> None:
    sim = simulate(SimulationConfig(cards=1000, terminals=2000, days=30, seed=1))
    assert set(sim.labels["scenario"].unique().to_list()) == {0, 1, 2, 3, 4, 5}
    assert 0.002 < sim.labels["label"].mean() < 0.05  # type: ignore[operator]


def test_upload_csv_is_valid_and_has_no_labels(tmp_path: Path) -> None:
    sim = simulate(SMALL)
    csv_path, labels_path = tmp_path / "up.csv", tmp_path / "up.labels.csv"
    write_upload(sim, str(csv_path), str(labels_path))
    with csv_path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == ALL_COLUMNS
        rows = list(reader)
    assert len(rows) == sim.transactions.height
    for row in rows[:300]:
        TransactionRow.model_validate(row)
    header = csv_path.read_text().splitlines()[0]
    assert "label" not in header
    assert "scenario" not in header
    assert labels_path.read_text().splitlines()[0] == "transaction_id,label,scenario"
