"""`attribute_value` gives what boto3's `TypeSerializer` gives, for any value an item can hold,
and fails where it fails (floats, NaN, numbers of more than 38 digits)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_shared.attribute_values import attribute_map, attribute_value
from cardwatch_shared.contracts import Channel
from cardwatch_shared.verdict_item import to_item
from tests.support.verdicts import sample_verdict

pytestmark = pytest.mark.unit

boto3_value = TypeSerializer().serialize

scalars = (
    st.text()
    | st.booleans()
    | st.none()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.decimals(allow_nan=True, allow_infinity=True)
    | st.floats()
    | st.binary(max_size=8)
    | st.sampled_from(list(Channel))
    | st.sets(st.text(min_size=1, max_size=3), min_size=1, max_size=3)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=12,
)


def _outcome(convert: Any, value: Any) -> tuple[str, Any]:
    try:
        return "value", convert(value)
    except Exception as exc:  # the error's kind is what is compared
        return "error", type(exc).__name__


@settings(max_examples=500, deadline=None)
@given(value=values)
def test_equal_to_boto3_for_any_value(value: Any) -> None:
    assert _outcome(attribute_value, value) == _outcome(boto3_value, value)


def test_a_verdict_item_serialises_as_boto3_serialises_it() -> None:
    item = to_item(sample_verdict(7, features={"amount": 12.5}))
    assert attribute_map(item) == {name: boto3_value(v) for name, v in item.items()}
    assert attribute_value(Decimal("0.1")) == {"N": "0.1"}
