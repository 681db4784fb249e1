"""Population stability index over the model's reference bins."""

from __future__ import annotations

import math
import random

import pytest

from cardwatch_shared.score_drift import (
    PSI_ALARM,
    bin_counts,
    bin_of,
    psi,
    reading,
    reference_bins,
)

pytestmark = pytest.mark.unit


def test_reference_bins_are_deciles_of_the_validation_scores() -> None:
    scores = [i / 1000 for i in range(1000)]
    edges, shares = reference_bins(scores)
    assert edges == pytest.approx([0.1 * i for i in range(1, 10)])
    assert shares == pytest.approx([0.1] * 10)


def test_tied_scores_make_fewer_bins_whose_shares_still_add_up() -> None:
    edges, shares = reference_bins([0.0] * 900 + [0.5] * 100)
    assert edges == [0.0, 0.5]
    assert shares == pytest.approx([0.0, 0.9, 0.1])
    assert sum(shares) == pytest.approx(1.0)


def test_a_score_on_an_edge_goes_to_the_bin_above() -> None:
    assert [bin_of(s, [0.2, 0.5]) for s in (0.0, 0.2, 0.3, 0.5, 1.0)] == [0, 1, 1, 2, 2]
    assert bin_counts([0.1, 0.2, 0.9], [0.2, 0.5]) == [1, 1, 1]


def test_the_same_distribution_is_stable_and_a_shifted_one_drifts() -> None:
    rng = random.Random(7)
    edges, shares = reference_bins([rng.random() for _ in range(5000)])
    same = bin_counts([rng.random() for _ in range(5000)], edges)
    shifted = bin_counts([0.5 + rng.random() / 2 for _ in range(5000)], edges)
    assert psi(shares, same) < 0.02
    assert reading(psi(shares, same)) == "stable"
    assert psi(shares, shifted) > PSI_ALARM
    assert reading(psi(shares, shifted)) == "drifted"


def test_no_scores_is_no_reading() -> None:
    assert math.isnan(psi([0.5, 0.5], [0, 0]))
    assert reading(math.nan) == "no scores yet"
