"""skops without its census of scikit-learn, for the scorer's cold start.

On import, skops builds its default trusted list from `sklearn.utils.all_estimators()`, which
imports every scikit-learn module: seconds of a cold start, for estimators a bundle never holds.
The scorer imports skops with that census cut to `TRUSTED_ESTIMATORS`: fewer types trusted, never
more. A process that imported skops already keeps skops' own list.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from cardwatch_shared.model_manifest import TRUSTED_ESTIMATORS


def cardwatch_estimators(*_args: object, **_kwargs: object) -> list[tuple[str, type]]:
    """`all_estimators()` as skops calls it, answered with the estimators bundles may hold."""
    found = []
    for path in TRUSTED_ESTIMATORS:
        module, name = path.rsplit(".", 1)
        found.append((name, getattr(importlib.import_module(module), name)))
    return found


def skops_io() -> ModuleType:
    """`skops.io`, imported (once) with the census cut to the trusted estimators."""
    loaded: ModuleType | None = sys.modules.get("skops.io")
    if loaded is not None:
        return loaded
    import sklearn.utils

    census = sklearn.utils.all_estimators
    sklearn.utils.all_estimators = cardwatch_estimators
    try:
        module = importlib.import_module("skops.io")
    finally:
        sklearn.utils.all_estimators = census
    return module
