"""Small real model bundles for scorer tests, written the way `cardwatch model publish` does."""

from __future__ import annotations

from typing import Any

import numpy as np

from cardwatch_ml.bundle import Bundle, BundleStore, build_bundle
from cardwatch_ml.training import TrainedModel, make_estimator
from cardwatch_shared.features.spec import SPEC

FEATURES = list(SPEC.feature_names(with_labels=False, with_channel=True))


def amount_model(
    version: str, cutoff: float = 500.0, threshold: float = 0.5, *, with_labels: bool = False
) -> Bundle:
    """A logistic regression that calls amounts above `cutoff` fraud (all spec features in;
    the terminal-risk ones too `with_labels`, as a deployment with a label feed runs)."""
    names = list(SPEC.feature_names(with_labels=with_labels, with_channel=True))
    rng = np.random.default_rng(0)
    x = np.zeros((400, len(names)))
    x[:, names.index("amount")] = rng.uniform(1, 2 * cutoff, 400)
    y = (x[:, names.index("amount")] > cutoff).astype(int)
    estimator = make_estimator("logistic_regression", seed=0).fit(x, y)
    trained = TrainedModel(estimator, "logistic_regression", names, threshold, "test", {})
    trained.validation_scores = estimator.predict_proba(x)[:, 1].tolist()
    return build_bundle(trained, data_sha256="0" * 64, version=version)


def publish(s3: Any, bucket: str, bundle: Bundle, promote: bool = True) -> None:
    """Publish (and promote) a bundle."""
    store = BundleStore(s3, bucket)
    store.publish(bundle)
    if promote:
        store.promote(bundle.manifest.version)


def boosted_model(version: str, threshold: float = 0.5) -> Bundle:
    """Training's gradient-boosting candidate (30 trees, to fit fast) on amounts and counts with
    a fifth of the counts missing: the kind of bundle the scorer walks the trees of itself."""
    rng = np.random.default_rng(1)
    x = np.zeros((2000, len(FEATURES)))
    x[:, FEATURES.index("amount")] = rng.lognormal(4, 1.2, 2000)
    counts = rng.poisson(3, 2000).astype(float)
    counts[rng.random(2000) < 0.2] = np.nan
    x[:, FEATURES.index("card_count_1d")] = counts
    y = (x[:, FEATURES.index("amount")] * rng.uniform(0.5, 1.5, 2000) > 300).astype(int)
    estimator = make_estimator("hist_gradient_boosting", seed=0).set_params(max_iter=30)
    estimator.fit(x, y)
    trained = TrainedModel(estimator, "hist_gradient_boosting", FEATURES, threshold, "test", {})
    trained.validation_scores = estimator.predict_proba(x)[:, 1].tolist()
    return build_bundle(trained, data_sha256="0" * 64, version=version)
