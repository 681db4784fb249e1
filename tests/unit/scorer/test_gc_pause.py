"""The collector is paused while a batch is decoded and scored, and left as it was after, also
when the block fails or when the caller had paused it already."""

from __future__ import annotations

import gc
from base64 import b64encode
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from cardwatch_scorer.batch import process_batch
from cardwatch_scorer.gc_pause import gc_paused
from cardwatch_scorer.model_cache import LiveModel, load_bundle
from cardwatch_scorer.state_store import Snapshot
from tests.support.kinesis_events import payload
from tests.support.models import amount_model
from tests.support.transactions import transaction

pytestmark = pytest.mark.unit


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def _fail_while_paused() -> None:
    with gc_paused():
        assert not gc.isenabled()
        raise ValueError("boom")


@pytest.mark.usefixtures("collector_enabled")
def test_paused_inside_and_enabled_after_even_on_failure() -> None:
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError, match="boom"):
        _fail_while_paused()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_enabled")
def test_a_caller_s_pause_is_kept() -> None:
    gc.disable()
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
    gc.enable()


class _Spy:
    """An estimator that notes whether the collector ran while it predicted."""

    def __init__(self, estimator: Any) -> None:
        self.estimator, self.collector_enabled = estimator, [gc.isenabled()]

    def predict_proba(self, matrix: Any) -> Any:
        self.collector_enabled.append(gc.isenabled())
        return self.estimator.predict_proba(matrix)


class _NothingStored:
    def snapshot(self, *_ids: Any) -> Snapshot:
        return Snapshot(set(), {}, {})

    def commit(self, items: list[dict[str, Any]], _counts: Any) -> set[str]:
        self.collector_enabled = gc.isenabled()
        return {item["transaction_id"] for item in items}

    def save_cards(self, _cards: Any) -> dict[str, str]:
        return {}

    def add_scores(self, _version: str, _day: int, counts: list[int]) -> list[int]:
        return counts


@pytest.mark.usefixtures("collector_enabled")
def test_a_batch_is_scored_with_the_collector_paused_and_written_with_it_running() -> None:
    bundle = amount_model("m1")
    live = load_bundle(bundle.model_bytes, bundle.manifest)
    spy = _Spy(live.estimator)
    models = SimpleNamespace(get=lambda: LiveModel(spy, live.manifest))
    store = _NothingStored()
    records = [
        {"kinesis": {"sequenceNumber": str(i), "data": b64encode(payload(transaction(i))).decode()}}
        for i in (1, 2)
    ]
    outcome = process_batch(records, store, models, 500)  # type: ignore[arg-type]
    assert outcome.verdicts_written == 2
    assert spy.collector_enabled == [True, False]
    assert store.collector_enabled
    assert gc.isenabled()
