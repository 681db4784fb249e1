"""Reasons in the upload format's words: each pattern of the files people write (uploads, labels,
rule sets) has a plain format, no reason echoes the input, and an error of an unknown kind keeps
pydantic's message."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from cardwatch_shared.contracts import Label, RuleSet, TransactionRow
from cardwatch_shared.contracts.field_errors import PATTERN_FORMATS, field_errors
from tests.support.cards import TEST_PANS
from tests.unit.shared.test_transaction_row import good_row

pytestmark = pytest.mark.unit


def _patterns(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _patterns(item)


class _Amount(BaseModel):
    amount: Decimal


# A decimal's pattern in the JSON Schema describes its text when serialised: the model parses it.
_DECIMAL_PATTERNS = set(_patterns(_Amount.model_json_schema()))


@pytest.mark.parametrize("contract", [TransactionRow, Label, RuleSet])
def test_every_pattern_of_a_file_people_write_has_a_plain_format(contract: type[BaseModel]) -> None:
    patterns = set(_patterns(contract.model_json_schema())) - _DECIMAL_PATTERNS
    assert patterns  # the walk found them
    assert patterns <= set(PATTERN_FORMATS)


def _reasons(model: type[BaseModel], data: dict[str, Any]) -> list[tuple[str | None, str]]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return field_errors(info.value)


@pytest.mark.parametrize("column", ["latitude", "mcc", "currency", "timestamp", "transaction_id"])
def test_a_card_number_in_another_column_is_not_echoed(column: str) -> None:
    [(bad_column, reason)] = _reasons(TransactionRow, good_row(**{column: TEST_PANS[1]}))
    assert bad_column == column
    assert TEST_PANS[1] not in reason
    assert TEST_PANS[1][-4:] not in reason


def test_a_label_row_gets_the_same_plain_reasons() -> None:
    row = {"transaction_id": "tx-1", "label": "maybe", "source": "analyst", "known_at": "monday"}
    assert _reasons(Label, row) == [
        ("label", "label must be 'fraud' or 'legit'"),
        ("known_at", "known_at is not an ISO 8601 date and time, e.g. 2026-11-20T09:15:00+01:00"),
    ]


class _Other(BaseModel):
    code: str = Field(pattern=r"^[a-z]+$")
    count: int = Field(multiple_of=5)


def test_an_unknown_pattern_or_kind_still_gets_a_reason() -> None:
    assert _reasons(_Other, {"code": "ABC", "count": 7}) == [
        ("code", "code does not have the expected format"),
        ("count", "Input should be a multiple of 5"),
    ]
