"""The model's matrix: columns in the manifest's order, NaN (never zero) for an absent feature."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cardwatch_scorer.scoring import feature_matrix

pytestmark = pytest.mark.unit


def test_columns_follow_the_names_order() -> None:
    matrix = feature_matrix({"a": np.array([1.0, 3.0]), "b": np.array([2.0, 4.0])}, ["b", "a"], 2)
    assert matrix.tolist() == [[2.0, 1.0], [4.0, 3.0]]


def test_an_absent_feature_is_nan() -> None:
    matrix = feature_matrix({"a": np.array([1.0, 2.0])}, ["a", "b"], 2)
    assert matrix[:, 0].tolist() == [1.0, 2.0]
    assert all(math.isnan(value) for value in matrix[:, 1])


def test_one_column_and_no_rows_keep_their_shape() -> None:
    assert feature_matrix({"a": np.array([1.0, 2.0])}, ["a"], 2).shape == (2, 1)
    assert feature_matrix({}, ["a", "b"], 0).shape == (0, 2)
