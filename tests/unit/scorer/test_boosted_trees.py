"""The scorer's own walk of a boosted model's trees gives the estimator's numbers bit for bit, for
any batch; it is taken only for a model it can copy exactly, and refuses a matrix the model
cannot take."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.ensemble._hist_gradient_boosting._predictor import _predict_from_raw_data

from cardwatch_ml.training import make_estimator
from cardwatch_scorer import boosted_trees
from cardwatch_scorer.boosted_trees import BoostedTrees, predictor_for
from cardwatch_scorer.model_cache import load_bundle
from tests.support.models import amount_model, boosted_model

pytestmark = pytest.mark.unit

FEATURES = 6


def _data(rows: int, seed: int, missing: float = 0.15) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, FEATURES)) * 10.0 ** np.arange(-1, FEATURES - 1)
    x[:, -1] = rng.integers(0, 12, rows)
    x[rng.random((rows, FEATURES)) < missing] = np.nan
    return x


@pytest.fixture(scope="module")
def boosted() -> HistGradientBoostingClassifier:
    x = _data(3000, seed=0)
    model = HistGradientBoostingClassifier(max_iter=25, max_leaf_nodes=15, random_state=0)
    fitted: HistGradientBoostingClassifier = model.fit(x, _labels(x))
    return fitted


def _labels(x: np.ndarray) -> np.ndarray:
    signal = np.nan_to_num(x[:, 1]) + np.nan_to_num(x[:, 2]) / 10 + (x[:, -1] % 3 == 0)
    noise = np.random.default_rng(1).standard_normal(len(x))
    return np.asarray(signal + noise > 1, dtype=np.int64)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.integers(1, 300),
    seed=st.integers(0, 2**32 - 1),
    missing=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
)
def test_the_walk_equals_the_estimator_for_any_batch(
    boosted: HistGradientBoostingClassifier, rows: int, seed: int, missing: float
) -> None:
    x = _data(rows, seed, missing)
    x[::7, 0] = np.inf  # HGB takes infinities as numbers
    walked = predictor_for(boosted)
    assert isinstance(walked, BoostedTrees)
    assert np.array_equal(walked.predict_proba(x), boosted.predict_proba(x))


def test_one_row_is_summed_tree_after_tree(boosted: HistGradientBoostingClassifier) -> None:
    walked = predictor_for(boosted)
    for seed in range(40):
        x = _data(1, seed, missing=0.0)
        assert np.array_equal(walked.predict_proba(x), boosted.predict_proba(x))


@pytest.mark.parametrize("rows", [8192, 10_000])  # up to Kinesis's largest batch
def test_a_large_batch_is_summed_tree_after_tree(
    boosted: HistGradientBoostingClassifier, rows: int
) -> None:
    x = _data(rows, seed=rows)
    assert np.array_equal(predictor_for(boosted).predict_proba(x), boosted.predict_proba(x))


def test_training_candidate_bundle_is_walked() -> None:
    bundle = boosted_model("b1")
    live = load_bundle(bundle.model_bytes, bundle.manifest)
    assert isinstance(live.predictor, BoostedTrees)
    x = np.random.default_rng(3).lognormal(3, 2, (500, len(bundle.manifest.feature_names)))
    assert np.array_equal(live.predictor.predict_proba(x), live.estimator.predict_proba(x))


def _other_model(kind: str) -> Any:
    x = _data(600, seed=4, missing=0.0)
    if kind == "three classes":
        return HistGradientBoostingClassifier(max_iter=5).fit(x, np.arange(600) % 3)
    if kind == "a categorical feature":  # its own encoder maps the values before the trees
        model = HistGradientBoostingClassifier(max_iter=5, categorical_features=[FEATURES - 1])
        return model.fit(x, _labels(x))
    return make_estimator(kind, seed=0).fit(x, np.arange(600) % 2)


@pytest.mark.parametrize(
    "kind", ["logistic_regression", "random_forest", "three classes", "a categorical feature"]
)
def test_a_model_it_cannot_copy_keeps_its_own_call(kind: str) -> None:
    model = _other_model(kind)
    assert predictor_for(model) is model


def test_a_logistic_bundle_scores_through_its_own_call() -> None:
    bundle = amount_model("lr")
    live = load_bundle(bundle.model_bytes, bundle.manifest)
    assert live.predictor is live.estimator


def test_a_walk_that_differs_on_the_probe_is_not_taken(
    boosted: HistGradientBoostingClassifier, monkeypatch: pytest.MonkeyPatch
) -> None:
    def last_tree_missing(nodes: Any, data: Any, *rest: Any) -> None:
        if nodes is not last:
            _predict_from_raw_data(nodes, data, *rest)
        else:
            rest[-1][:] = np.zeros(len(rest[-1]))

    walked = BoostedTrees(boosted, last_tree_missing, lambda: 1)
    last = walked._trees[-1][0]
    monkeypatch.setattr(boosted_trees, "_boosted_trees", lambda _estimator: walked)
    assert predictor_for(boosted) is boosted


def test_each_tree_is_walked_with_the_threads_allowed_now(
    boosted: HistGradientBoostingClassifier,
) -> None:
    seen: list[int] = []

    def counted(*args: Any) -> None:
        seen.append(args[5])
        _predict_from_raw_data(*args)

    allowed = iter([3, 1])
    walked = BoostedTrees(boosted, counted, lambda: next(allowed))
    walked.predict_proba(_data(4, seed=6))
    walked.predict_proba(_data(4, seed=7))
    assert seen == [3] * boosted.n_iter_ + [1] * boosted.n_iter_


@pytest.mark.parametrize(
    ("matrix", "reason"),
    [
        (np.zeros((3, FEATURES), dtype=np.float32), "2-D float64"),
        (np.zeros(FEATURES), "2-D float64"),
        (np.zeros((3, FEATURES)).tolist(), "2-D float64"),
        (np.zeros((3, FEATURES + 1)), f"{FEATURES + 1} features given, the model takes {FEATURES}"),
    ],
)
def test_a_matrix_the_model_cannot_take_is_refused(
    boosted: HistGradientBoostingClassifier, matrix: Any, reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        predictor_for(boosted).predict_proba(matrix)


def test_a_strided_matrix_is_walked_as_it_is(boosted: HistGradientBoostingClassifier) -> None:
    wide = np.repeat(_data(90, seed=8), 2, axis=1)
    walked = predictor_for(boosted)
    for view in (wide[:, ::2], wide[::3, 1::2], np.asfortranarray(wide[:, ::2])):
        assert not view.flags.c_contiguous
        assert np.array_equal(walked.predict_proba(view), boosted.predict_proba(view))
