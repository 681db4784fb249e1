"""The scorer imports skops without scikit-learn's full census nor SciPy's ufuncs: every estimator
training can put in a bundle still loads, an estimator outside the list is refused, the census
never ran, and no SciPy ufunc is trusted (NumPy's still are)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skops.io as sio
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline

from cardwatch_ml.training import CANDIDATES, make_estimator

pytestmark = pytest.mark.unit

LOADER = """
import sys
from pathlib import Path
from cardwatch_scorer.skops_import import skops_io
from cardwatch_shared.model_manifest import TRUSTED_TYPES
sio = skops_io()
census = [m for m in ("sklearn.naive_bayes", "sklearn.semi_supervised") if m in sys.modules]
print("census", ",".join(census) or "none")
import skops
from skops.io import _trusted_types as trusted
print("skops.io bound", skops.io is sio)
print("scipy ufuncs trusted", len(trusted.SCIPY_UFUNC_TYPE_NAMES))
print("numpy ufuncs trusted", len(trusted.NUMPY_UFUNC_TYPE_NAMES) > 50)
for path in sorted(Path(sys.argv[1]).glob("*.skops")):
    try:
        model = sio.loads(path.read_bytes(), trusted=list(TRUSTED_TYPES))
        print(path.stem, "loaded", type(model).__name__)
    except Exception as exc:
        print(path.stem, "refused", type(exc).__name__)
"""


def _dump(folder: Path, name: str, model: Any) -> None:
    rng = np.random.default_rng(7)
    features = rng.random((120, 3))
    features[::9, 1] = np.nan  # the imputers learn a missing-value indicator
    labels = (features[:, 0] > 0.6).astype(int)
    model.fit(features, labels)
    (folder / f"{name}.skops").write_bytes(sio.dumps(model))


def test_bundles_of_every_candidate_load_and_others_are_refused(tmp_path: Path) -> None:
    for name in CANDIDATES:
        estimator = make_estimator(name, seed=0)
        if name == "hist_gradient_boosting":
            estimator.set_params(max_iter=5)
        if name == "random_forest":
            estimator.set_params(model__n_estimators=3, model__n_jobs=1)
        _dump(tmp_path, name, estimator)
    outsider = Pipeline([("impute", SimpleImputer()), ("model", GradientBoostingClassifier())])
    _dump(tmp_path, "z_not_a_candidate", outsider)
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", LOADER, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines == [
        "census none",
        "skops.io bound True",
        "scipy ufuncs trusted 0",
        "numpy ufuncs trusted True",
        "hist_gradient_boosting loaded HistGradientBoostingClassifier",
        "logistic_regression loaded Pipeline",
        "random_forest loaded Pipeline",
        "z_not_a_candidate refused UntrustedTypesFoundException",
    ]
