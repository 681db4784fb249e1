"""The scorer's writer of a batch's features texts (msgspec) against the reference writer
(pydantic-core, `features_text`): text for text, whatever the names and the numbers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_scorer import features_json
from cardwatch_scorer.features_json import batch_features_texts
from cardwatch_shared.features.spec import SPEC
from cardwatch_shared.verdict_item import features_text

pytestmark = pytest.mark.contract

NUMBERS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 1.0, 0.1 + 0.2, 5e-324, 1e-7, 9.999999999999998e15, 1e16, -1e16, 1e300, math.nan]
)
NAMES = st.lists(
    st.from_regex(r"[a-z_][a-z_0-9]{0,30}", fullmatch=True)
    | st.text(alphabet=st.sampled_from('a,[]{}:"\\\n%s\x00é_'), max_size=6),
    unique=True,
    max_size=20,
)


def _reference(names: list[str], table: list[list[float]]) -> list[str]:
    return [features_text(dict(zip(names, row, strict=True))) for row in table]


@settings(max_examples=300, deadline=None)
@given(names=NAMES, data=st.data())
def test_a_batch_is_written_as_the_reference_writes_each_row(names: list[str], data: Any) -> None:
    small = st.floats(min_value=-1e15, max_value=1e15) | st.just(math.nan)
    row = st.lists(data.draw(st.sampled_from([small, NUMBERS])), min_size=len(names),
                   max_size=len(names))  # fmt: skip
    table = data.draw(st.lists(row, max_size=6))
    columns = {name: np.asarray([r[at] for r in table], dtype=np.float64)
               for at, name in enumerate(names)}  # fmt: skip
    assert batch_features_texts(columns, len(table)) == _reference(names, table)


def test_integer_columns_are_written_as_floats() -> None:
    columns = {"count": np.asarray([1, 2]), "amount": np.asarray([2.5, 3.0])}
    assert batch_features_texts(columns, 2) == _reference(
        ["count", "amount"], [[1.0, 2.5], [2.0, 3.0]]
    )


def test_the_specs_features_are_written_by_msgspec(monkeypatch: pytest.MonkeyPatch) -> None:
    """A usual batch (the spec's names, ordinary numbers) never reaches the reference writer."""
    names = list(SPEC.feature_names(with_labels=True, with_channel=True))
    rng = np.random.default_rng(1)
    columns = {name: rng.uniform(0, 1e6, 50) for name in names}
    columns[names[0]][3] = math.nan
    expected = _reference(names, np.column_stack(list(columns.values())).tolist())

    def refused(*_args: Any) -> list[str]:
        raise AssertionError("the reference writer was used")

    monkeypatch.setattr(features_json, "features_texts", refused)
    assert batch_features_texts(columns, 50) == expected
