"""skops without its census of scikit-learn and SciPy, for the scorer's cold start.

On import, skops builds its default trusted lists from `sklearn.utils.all_estimators()`, which
imports every scikit-learn module, and from every `scipy.special` ufunc, each looked up in every
loaded module (0.2 s): seconds of a cold start, for types a bundle never holds. The scorer imports
skops with the estimators cut to `TRUSTED_ESTIMATORS` and no SciPy ufunc: fewer types trusted,
never more. A process that imported skops already keeps skops' own lists.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

from cardwatch_scorer.scipy_docstrings import scipy_docstrings_kept
from cardwatch_shared.model_manifest import TRUSTED_ESTIMATORS

UNTRUSTED_UFUNC_MODULES = frozenset({"scipy.special"})
CENSUS = "get_public_type_names"  # the helper in skops.io._utils that lists a module's ufuncs


def cardwatch_estimators(*_args: object, **_kwargs: object) -> list[tuple[str, type]]:
    """`all_estimators()` as skops calls it, answered with the estimators bundles may hold."""
    found = []
    for path in TRUSTED_ESTIMATORS:
        module, name = path.rsplit(".", 1)
        found.append((name, getattr(importlib.import_module(module), name)))
    return found


def _without_scipy_ufuncs(census: Any) -> Any:
    """skops' `get_public_type_names`, answering nothing for `scipy.special`."""

    def public_type_names(module: ModuleType, oftype: type) -> list[str]:
        if module.__name__ in UNTRUSTED_UFUNC_MODULES:
            return []
        names: list[str] = census(module=module, oftype=oftype)
        return names

    return public_type_names


def _import_with_cut_census() -> ModuleType:
    """Import `skops.io` with its helpers patched while its trusted lists are built.

    The helpers live in `skops.io._utils`, which the package's own `__init__` reaches only
    through the lists' module; so the package is registered first, the helpers patched, and
    only then is the package's `__init__` run."""
    import sklearn.utils

    parent = importlib.import_module("skops")
    spec = importlib.util.find_spec("skops.io")
    if spec is None or spec.loader is None:
        raise ImportError("skops.io is not installed")
    package = importlib.util.module_from_spec(spec)
    sys.modules["skops.io"] = package
    helpers = importlib.import_module("skops.io._utils")
    estimators, ufuncs = sklearn.utils.all_estimators, getattr(helpers, CENSUS)
    sklearn.utils.all_estimators = cardwatch_estimators
    setattr(helpers, CENSUS, _without_scipy_ufuncs(ufuncs))
    try:
        spec.loader.exec_module(package)
    except BaseException:
        for name in [m for m in sys.modules if m == "skops.io" or m.startswith("skops.io.")]:
            del sys.modules[name]
        raise
    finally:
        sklearn.utils.all_estimators = estimators
        setattr(helpers, CENSUS, ufuncs)
    parent.io = package  # type: ignore[attr-defined]
    return package


def skops_io() -> ModuleType:
    """`skops.io`, imported (once) with the census cut to the trusted estimators, and SciPy's
    docstrings left as they are (`scipy_docstrings`)."""
    loaded: ModuleType | None = sys.modules.get("skops.io")
    if loaded is not None:
        return loaded
    with scipy_docstrings_kept():
        return _import_with_cut_census()
