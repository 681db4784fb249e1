"""The state table's items as the scorer reads and writes them (DynamoDB attribute values): a
card's state with the ids it absorbed, a terminal's day counts. Read straight from the values
BatchGetItem returns, without boto3's deserialiser."""

from __future__ import annotations

import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import from_json, to_json

from cardwatch_scorer.absorbed_ids import AbsorbedIds
from cardwatch_shared.features.online import CardState, TerminalState
from cardwatch_shared.state_keys import card_key


@dataclass
class CardRecord:
    """A card's state, the transactions it has absorbed, and its item version."""

    state: CardState = field(default_factory=CardState)
    applied: AbsorbedIds = field(default_factory=AbsorbedIds)
    version: int = 0


def card_record(item: Mapping[str, Any]) -> CardRecord:
    """A card's record from its item's attribute values, as botocore or `aws_wire` reads them.
    Items written before the ids were kept as digests hold them as a JSON list (`applied`), read
    the same way."""
    absorbed = item.get("absorbed")
    if absorbed is not None:
        packed = absorbed["B"]  # base64 text as DynamoDB's JSON has it, bytes through botocore
        applied = AbsorbedIds(binascii.a2b_base64(packed) if isinstance(packed, str) else packed)
    else:
        applied = AbsorbedIds.of(json.loads(item.get("applied", {"S": "[]"})["S"]))
    state = CardState.from_dict(from_json(item["state"]["S"]))
    return CardRecord(state, applied, int(item["version"]["N"]))


def card_item(token: str, record: CardRecord) -> dict[str, Any]:
    """The item (attribute values) of a card's record, one version on from the one read."""
    item: dict[str, Any] = {
        "pk": {"S": card_key(token)},
        "state": {"S": to_json(record.state.to_dict()).decode()},
        "version": {"N": str(record.version + 1)},
    }
    if len(record.applied):
        item["absorbed"] = {"B": record.applied.to_bytes()}
    return item


def terminal_state(item: Mapping[str, Any]) -> TerminalState:
    """A terminal's state from its item's attribute values: per day, a count (`n_<day>`) and a
    fraud count (`f_<day>`). Read straight from the strings: a terminal holds 37 days, and
    boto3's deserialiser made a Decimal of each (33 µs a terminal instead of 11)."""
    counts: dict[int, float] = {}
    frauds: dict[int, float] = {}
    for name, value in item.items():
        kind, _, day = name.partition("_")
        if kind in ("n", "f") and day.isdigit():
            (counts if kind == "n" else frauds)[int(day)] = float(value["N"])
    days = {day: (counts.get(day, 0.0), frauds.get(day, 0.0)) for day in counts | frauds}
    return TerminalState(days=days)
