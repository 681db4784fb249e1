"""The rejects file escapes formulas, masks card numbers and counts rows once."""

from __future__ import annotations

import csv
import io

import pytest

from cardwatch_ingest.reject_report import RejectsFile, escape_cell, shown_value
from cardwatch_shared.contracts import RejectedRow
from tests.support.cards import TEST_PANS

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_escaped(cell: str) -> None:
    assert escape_cell(cell) == "'" + cell


def test_plain_cells_are_kept() -> None:
    assert escape_cell("Boulangerie") == "Boulangerie"


def test_shown_values_never_hold_a_card_number() -> None:
    assert shown_value("card_number", TEST_PANS[0]) == "•••• 1111"
    assert shown_value("card_number", "12") is None
    assert shown_value("merchant_name", f"shop {TEST_PANS[1]}") == "shop •••• 4444"
    assert shown_value("merchant_name", "x" * 500) == "x" * 199 + "…"


def test_rows_counted_once_reasons_each() -> None:
    rejects = RejectsFile()
    rejects.add(RejectedRow(row_number=2, column="amount", reason="amount must be positive"))
    rejects.add(RejectedRow(row_number=2, column="mcc", reason="bad mcc"))
    rejects.add(RejectedRow(row_number=5, column="amount", reason="amount must be positive",
                            value="=-1"))  # fmt: skip
    assert (rejects.rows, rejects.count) == (2, 3)
    assert rejects.reasons == {"amount must be positive": 2, "bad mcc": 1}
    lines = list(csv.reader(io.StringIO(rejects.content().read().decode())))
    assert lines[0] == ["row_number", "column", "reason", "value"]
    assert lines[3] == ["5", "amount", "amount must be positive", "'=-1"]
    rejects.close()
