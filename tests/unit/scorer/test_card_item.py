"""A card's record as its DynamoDB item: written with digests, read in either format."""

from __future__ import annotations

import json
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from cardwatch_scorer.absorbed_ids import AbsorbedIds
from cardwatch_scorer.state_store import CardRecord, card_item, card_record
from cardwatch_shared.features.online import CardState

TOKEN = "ab" * 32


def read(item: dict[str, Any]) -> CardRecord:
    """The item as the store reads it back (attribute values deserialised)."""
    deserialize = TypeDeserializer().deserialize
    return card_record({name: deserialize(value) for name, value in item.items()})


def test_a_record_survives_its_item() -> None:
    record = CardRecord(CardState({20400: (2.0, 37.5)}, 1762600000), AbsorbedIds.of(["a", "b"]), 4)
    item = card_item(TOKEN, record)
    assert item["pk"] == {"S": f"card#{TOKEN}"}
    assert item["version"] == {"N": "5"}, "written one version on"
    assert len(item["absorbed"]["B"]) == 16
    back = read(item)
    assert (back.state, back.applied, back.version) == (record.state, record.applied, 5)


def test_a_card_with_nothing_absorbed_has_no_binary_attribute() -> None:
    item = card_item(TOKEN, CardRecord())
    assert "absorbed" not in item
    assert len(read(item).applied) == 0


def test_an_item_written_before_digests_is_read() -> None:
    state = CardState({20400: (2.0, 37.5)}, 1762600000)
    legacy = {
        "pk": {"S": f"card#{TOKEN}"},
        "state": {"S": json.dumps(state.to_dict())},
        "applied": {"S": json.dumps(["tx-1", "tx-2"])},
        "version": {"N": "3"},
    }
    record = read(legacy)
    assert record.state == state
    assert record.version == 3
    assert record.applied == AbsorbedIds.of(["tx-1", "tx-2"])
    assert "tx-3" not in record.applied
