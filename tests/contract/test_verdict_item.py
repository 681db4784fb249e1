"""A verdict survives its DynamoDB item form: what the scorer writes, the notifier reads back."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_shared.verdict_item import from_item, to_item
from tests.support.verdicts import sample_verdict

pytestmark = pytest.mark.contract

feature_values = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 1e-5, 1e300, 5e-324, 0.1 + 0.2, 123456789.123]
)


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=1000),
    features=st.dictionaries(st.from_regex(r"[a-z_0-9]{1,30}", fullmatch=True), feature_values),
    score=st.floats(min_value=0, max_value=1),
)
def test_item_round_trips_and_drops_only_non_finite_features(
    index: int, features: dict[str, float], score: float
) -> None:
    verdict = sample_verdict(index, features=features, score=score)
    item = to_item(verdict)
    finite = {k: v for k, v in features.items() if math.isfinite(v)}
    assert json.loads(item["features"]) == finite
    assert item["score"] == Decimal(repr(score))
    assert isinstance(item["amount"], Decimal)
    assert isinstance(item["threshold"], Decimal)
    assert from_item(item) == verdict.model_copy(update={"features": finite})


def test_item_has_the_contract_s_json_form_for_everything_else() -> None:
    verdict = sample_verdict(3)
    item = to_item(verdict)
    dumped = verdict.model_dump(mode="json")
    for name in ("score", "threshold", "amount", "features"):
        dumped.pop(name)
        item.pop(name)
    assert item == dumped
