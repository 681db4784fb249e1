"""The scorer's first import of scikit-learn leaves SciPy's docstrings as they were written:
SciPy's parser (which adds an array-API note to each) is swapped out for that import only."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import types

import pytest

from cardwatch_scorer import scipy_docstrings
from cardwatch_scorer.scipy_docstrings import KeptDoc, scipy_docstrings_kept

pytestmark = pytest.mark.unit

NOTE = "Array API Standard Support"
CHILD = """
import json, sys
from cardwatch_scorer.skops_import import skops_io
skops_io()
import scipy._lib._array_api as parser_module
from scipy._lib._docscrape import FunctionDoc
import scipy.stats
print(json.dumps({"doc": scipy.stats.ttest_ind.__doc__,
                  "restored": parser_module.FunctionDoc is FunctionDoc}))
"""


def test_a_first_import_keeps_scipys_docstrings_and_restores_the_parser() -> None:
    reply = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True
    )
    child = json.loads(reply.stdout.strip().splitlines()[-1])
    assert child["restored"]
    stats = importlib.import_module("scipy.stats")  # imported here as SciPy does it
    assert NOTE in (stats.ttest_ind.__doc__ or "")
    kept = child["doc"]
    assert NOTE not in kept
    assert kept.startswith("Calculate the T-test for the means of *two independent* samples")
    assert "Parameters\n----------" in kept


def test_a_process_that_imported_scipy_already_is_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parser_module = types.ModuleType(scipy_docstrings.PARSER_MODULE)
    sentinel = object()
    setattr(parser_module, scipy_docstrings.PARSER, sentinel)

    def parser() -> object:
        return getattr(parser_module, scipy_docstrings.PARSER)

    monkeypatch.setitem(sys.modules, scipy_docstrings.PARSER_MODULE, parser_module)
    monkeypatch.setitem(sys.modules, "scipy.stats", types.ModuleType("scipy.stats"))
    with scipy_docstrings_kept():
        assert parser() is sentinel
    monkeypatch.delitem(sys.modules, "scipy.stats")
    with scipy_docstrings_kept():
        assert parser() is KeptDoc
    assert parser() is sentinel


def test_the_kept_doc_gives_back_the_docstring_as_scipy_strips_it() -> None:
    def documented() -> None:
        """First line.

        More."""

    doc = KeptDoc(documented)
    doc["Notes"].append("a note nobody reads")
    assert str(doc).split("\n", 1)[1].lstrip(" \n") == documented.__doc__
    assert str(KeptDoc(len)).split("\n", 1)[1] == (len.__doc__ or "")
