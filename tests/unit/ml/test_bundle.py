"""Bundles load only when intact: a flipped byte, an untrusted type or a foreign spec is refused."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression

from cardwatch_ml.bundle import Bundle, build_bundle, load_estimator
from cardwatch_ml.training import TrainedModel
from cardwatch_shared.model_manifest import BundleError, sha256_hex

pytestmark = pytest.mark.unit


class NotTrusted:
    """A class the trusted list does not name."""


def bundle() -> Bundle:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(200, 3)), rng.integers(0, 2, 200)
    model = TrainedModel(
        LogisticRegression().fit(x, y),
        "logistic_regression",
        ["amount", "is_night", "card_count_1d"],
        0.5,
        "test",
        {"average_precision": 0.5},
    )
    return build_bundle(model, data_sha256="0" * 64, version="test-1")


def test_intact_bundle_loads_and_predicts() -> None:
    b = bundle()
    estimator = load_estimator(b)
    assert estimator.predict_proba(np.zeros((1, 3))).shape == (1, 2)
    assert b.manifest.sha256 == sha256_hex(b.model_bytes)
    assert not b.manifest.uses_labels


def test_flipped_byte_is_refused() -> None:
    b = bundle()
    data = bytearray(b.model_bytes)
    data[len(data) // 2] ^= 0x01
    with pytest.raises(BundleError, match="SHA-256 does not match"):
        load_estimator(Bundle(bytes(data), b.manifest))


def test_foreign_feature_spec_is_refused() -> None:
    b = bundle()
    manifest = b.manifest.model_copy(update={"feature_spec_version": "999"})
    with pytest.raises(BundleError, match="feature spec 999"):
        load_estimator(Bundle(b.model_bytes, manifest))


def test_untrusted_type_is_refused_even_with_a_matching_hash() -> None:
    b = bundle()
    evil = sio.dumps({"model": NotTrusted()})
    manifest = b.manifest.model_copy(update={"sha256": sha256_hex(evil)})
    with pytest.raises(BundleError, match="cannot be loaded safely"):
        load_estimator(Bundle(evil, manifest))


def test_build_refuses_untrusted_types() -> None:
    model = TrainedModel(NotTrusted(), "x", [], 0.5, "t", {})
    with pytest.raises(BundleError, match="outside the trusted list"):
        build_bundle(model, "0" * 64)


def test_bundle_is_a_skops_zip_not_a_pickle() -> None:
    assert zipfile.is_zipfile(io.BytesIO(bundle().model_bytes))
