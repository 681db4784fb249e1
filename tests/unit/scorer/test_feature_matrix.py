"""The model's matrix: columns in the manifest's order, NaN (never zero) for an absent feature."""

from __future__ import annotations

import math

import pytest

from cardwatch_scorer.scoring import feature_matrix

pytestmark = pytest.mark.unit


def test_columns_follow_the_names_order() -> None:
    matrix = feature_matrix([{"a": 1.0, "b": 2.0}, {"a": 3.0, "b": 4.0}], ["b", "a"])
    assert matrix.tolist() == [[2.0, 1.0], [4.0, 3.0]]


def test_an_absent_feature_is_nan() -> None:
    matrix = feature_matrix([{"a": 1.0}, {"a": 2.0, "b": 5.0}], ["a", "b"])
    assert matrix[0, 0] == 1.0
    assert math.isnan(matrix[0, 1])
    assert matrix[1].tolist() == [2.0, 5.0]


def test_one_column_and_no_rows_keep_their_shape() -> None:
    assert feature_matrix([{"a": 1.0}, {"a": 2.0}], ["a"]).shape == (2, 1)
    assert feature_matrix([], ["a", "b"]).shape == (0, 2)
