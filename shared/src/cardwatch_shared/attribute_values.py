"""Python values → DynamoDB attribute values, as boto3's `TypeSerializer` makes them, faster.

A verdict item has 26 attributes; `TypeSerializer` took 21 µs an item, more than half of the
scorer's compute per record. This one dispatches on the exact type of the values items hold
(str, bool, Decimal, int, None, list, dict) and hands anything else to `TypeSerializer`, so its
rules and errors (floats refused, sets, binary) stay boto3's. A test holds the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import DYNAMODB_CONTEXT, TypeSerializer

_serializer = TypeSerializer()


def _boto3(value: Any) -> dict[str, Any]:
    serialized: dict[str, Any] = _serializer.serialize(value)
    return serialized


def _number(value: Decimal | int) -> dict[str, Any]:
    text = str(DYNAMODB_CONTEXT.create_decimal(value))  # 38 digits at most, or an error
    if text in {"Infinity", "NaN"}:
        return _boto3(value)  # boto3's own error for these
    return {"N": text}


def _list(value: list[Any]) -> dict[str, Any]:
    return {"L": [attribute_value(v) for v in value]}


def _map(value: dict[str, Any]) -> dict[str, Any]:
    return {"M": {k: attribute_value(v) for k, v in value.items()}}


_BY_TYPE: dict[type, Callable[[Any], dict[str, Any]]] = {
    str: lambda v: {"S": v},
    bool: lambda v: {"BOOL": v},
    Decimal: _number,
    int: _number,
    type(None): lambda _: {"NULL": True},
    list: _list,
    dict: _map,
}


def attribute_value(value: Any) -> dict[str, Any]:
    """`value` as a DynamoDB attribute value (`TypeSerializer().serialize(value)`)."""
    convert = _BY_TYPE.get(type(value))
    return convert(value) if convert is not None else _boto3(value)


def attribute_map(item: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """An item's attributes as DynamoDB attribute values."""
    return {name: attribute_value(value) for name, value in item.items()}
