"""SciPy imported without rewriting its docstrings, for the scorer's cold start.

scikit-learn imports `scipy.stats`, and SciPy (1.15 and later) rewrites the docstring of every
function it marks with `xp_capabilities` as that is imported, parsing each with its numpydoc
parser to add a note on array-API support: 0.19 s of the scorer's 0.75 s model load here. The
scorer never reads a docstring. While scikit-learn is first imported, the parser is swapped for
one that keeps each docstring as it was (without the note); nothing else changes. Where SciPy
is imported already, or has no such parser, nothing is done.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PARSER_MODULE = "scipy._lib._array_api"  # where `xp_capabilities` parses with `FunctionDoc`
PARSER = "FunctionDoc"


class KeptDoc:
    """Stands in for SciPy's `FunctionDoc` inside `xp_capabilities`: the note goes into a list
    nobody reads, and the text it gives back is the docstring as it was."""

    def __init__(self, func: Any, *_args: Any, **_kwargs: Any) -> None:
        self._doc = getattr(func, "__doc__", None) or ""

    def __getitem__(self, _section: str) -> list[str]:
        return []

    def __str__(self) -> str:
        return "\n" + self._doc  # `xp_capabilities` drops the first line (the signature)


@contextmanager
def scipy_docstrings_kept() -> Iterator[None]:
    """Inside the block, a first import of SciPy's modules leaves their docstrings as they are."""
    if "scipy.stats" in sys.modules:
        yield
        return
    try:
        module = importlib.import_module(PARSER_MODULE)
    except ImportError:
        yield
        return
    parser = getattr(module, PARSER, None)
    if parser is None:
        yield
        return
    setattr(module, PARSER, KeptDoc)
    try:
        yield
    finally:
        setattr(module, PARSER, parser)
