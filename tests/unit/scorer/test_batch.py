"""A batch's outcome: what this delivery wrote is what the store says it wrote."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from cardwatch_scorer.batch import process_batch
from cardwatch_scorer.boosted_trees import BoostedTrees
from cardwatch_scorer.model_cache import load_bundle
from cardwatch_scorer.state_store import Snapshot
from cardwatch_scorer.verdict_record import VerdictRecord
from tests.support.models import amount_model, boosted_model
from tests.support.transactions import transaction

pytestmark = pytest.mark.unit


class RacedStore:
    """A state store in memory whose verdict writes lose to another delivery for `taken` ids
    (their verdicts were written between this batch's snapshot and its commit)."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.histogram: list[int] = []

    def snapshot(self, *_keys: Any) -> Snapshot:
        return Snapshot(set(), {}, {})

    def commit(self, records: list[VerdictRecord], _counts: list[Any]) -> set[str]:
        return {record.transaction_id for record in records} - self.taken

    def save_cards(self, _records: dict[str, Any]) -> dict[str, str]:
        return {}

    def add_scores(self, _version: str, _day: int, counts: list[int]) -> list[int]:
        self.histogram = counts
        return counts


class OneModel:
    def __init__(self, boosted: bool = False) -> None:
        bundle = boosted_model("b1") if boosted else amount_model("m1")
        self.live = load_bundle(bundle.model_bytes, bundle.manifest)

    def get(self) -> Any:
        return self.live


def _records(count: int, step: int = 200) -> list[dict[str, Any]]:
    """Transactions of 100.00, then `step` more each."""
    datas = [
        base64.b64encode(transaction(i, amount=f"{100 + step * i}.00").model_dump_json().encode())
        for i in range(count)
    ]
    return [
        {"kinesis": {"sequenceNumber": f"{i:03d}", "data": data.decode(), "partitionKey": "k"}}
        for i, data in enumerate(datas)
    ]


@pytest.mark.parametrize("taken", [set(), {"tx-00001"}, {"tx-00000", "tx-00003"}])
def test_only_the_verdicts_the_store_wrote_count_as_written(taken: set[str]) -> None:
    store = RacedStore(taken)
    outcome = process_batch(_records(4), store, OneModel(), 500)  # type: ignore[arg-type]
    assert outcome.scored is not None
    assert len(outcome.scored.records) == 4
    written = [record.transaction_id for record in outcome.written]
    assert written == [f"tx-{i:05d}" for i in range(4) if f"tx-{i:05d}" not in taken]
    assert outcome.frauds == sum(1 for record in outcome.written if record.is_fraud)
    assert sum(store.histogram) == outcome.scores_today == len(written)


def test_a_boosted_bundle_scores_a_batch_with_its_estimators_numbers() -> None:
    models = OneModel(boosted=True)
    assert isinstance(models.live.predictor, BoostedTrees)
    outcome = process_batch(_records(40, step=7), RacedStore(set()), models, 500)  # type: ignore[arg-type]
    assert outcome.scored is not None
    assert outcome.scored.features is not None
    matrix = outcome.scored.features.to_numpy(dtype=float)
    expected = models.live.estimator.predict_proba(matrix)[:, 1]
    assert outcome.scored.scores == expected.tolist()
    assert len(set(outcome.scored.scores)) > 5, "the amounts must spread the scores"
