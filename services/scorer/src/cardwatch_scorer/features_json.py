"""The features of a batch's verdicts, as the JSON text their items hold, written by msgspec.

pydantic-core (`features_texts` in `cardwatch_shared.verdict_item`) is the reference writer. msgspec
writes the same text from one struct per row, a third faster: a struct writes its keys and numbers
in one pass, where the reference cuts each number out of one text and joins it back between its
keys. The two write every float alike except the exponent of a finite number of 1e16 or more
(msgspec `1e16`, pydantic-core `1e+16`): a batch holding one is written by the reference, and so
is a batch whose feature names are not plain identifiers (a struct's fields). A contract test
holds the two equal, text for text.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from functools import cache

import msgspec
import numpy as np

from cardwatch_shared.verdict_item import features_texts

LARGE = 1e16  # from here on, the two writers write a number's exponent differently
_encode_lines = msgspec.json.Encoder().encode_lines  # a row a line: no row holds a line break


def batch_features_texts(columns: Mapping[str, np.ndarray], rows: int) -> list[str]:
    """Each row's features text (`features_text` of its values), from the batch's columns."""
    names = tuple(columns)
    values = [np.asarray(column, dtype=np.float64) for column in columns.values()]
    row = _row_struct(names)
    if row is None or not rows or bool((np.abs(np.concatenate(values)) >= LARGE).any()):
        table = np.column_stack(values).tolist() if names and rows else [[]] * rows
        return features_texts(list(names), table)
    text = _encode_lines(list(map(row, *(column.tolist() for column in values)))).decode()
    return text.split("\n")[:-1]


@cache
def _row_struct(names: tuple[str, ...]) -> type[msgspec.Struct] | None:
    """A struct with one float field per name, in order; None unless every name can be a field."""
    plain = all(n.isidentifier() and not keyword.iskeyword(n) and n[0] != "_" for n in names)
    if not names or not plain:
        return None
    return msgspec.defstruct("FeatureRow", [(name, float) for name in names])
