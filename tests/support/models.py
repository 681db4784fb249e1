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
