"""The columns the rules read: categories as the text of their values, whatever their type."""

from __future__ import annotations

from enum import Enum, IntEnum
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from cardwatch_scorer.scoring import rule_columns
from cardwatch_shared.contracts.transaction_row import Channel

pytestmark = pytest.mark.unit


class LegacyChannel(str, Enum):  # noqa: UP042 - a str mixin: its str() is not its value (3.11)
    CARD_PRESENT = "card_present"


class Level(IntEnum):
    HIGH = 3


def categories(name: str, values: list[Any]) -> list[object]:
    records = cast("Any", [SimpleNamespace(**{name: value}) for value in values])
    column = rule_columns({name}, records, {}, np.zeros(len(values)))[name]
    assert column.dtype == object
    return list(column)


def test_text_and_str_enums_are_read_as_their_values() -> None:
    values = [Channel.CARD_PRESENT, "card_not_present", Channel.CARD_NOT_PRESENT]
    out = categories("channel", values)
    assert out == ["card_present", "card_not_present", "card_not_present"]
    assert all(type(v) is str for v in out)


def test_other_enums_and_values_are_read_as_the_text_of_their_value() -> None:
    assert categories("channel", [LegacyChannel.CARD_PRESENT, "card_present"]) == [
        "card_present",
        "card_present",
    ]
    assert categories("mcc", [Level.HIGH, 5411]) == ["3", "5411"]


def test_features_and_the_score_are_numbers() -> None:
    records = cast("Any", [SimpleNamespace(mcc="5411")] * 2)
    features = {"amount": np.asarray([1.0, 2.0])}
    out = rule_columns(
        {"amount", "score", "card_count_1d"}, records, features, np.asarray([0.1, 0.9])
    )
    assert out["amount"].tolist() == [1.0, 2.0]
    assert out["score"].tolist() == [0.1, 0.9]
    assert np.isnan(out["card_count_1d"]).all()
