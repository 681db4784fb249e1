"""Card and terminal items as the store reads and writes them (attribute values): a card's
written with digests and day columns, and read in the formats before them too; a terminal's day
counts read from their strings."""

from __future__ import annotations

import json
from typing import Any

from cardwatch_scorer.absorbed_ids import AbsorbedIds
from cardwatch_scorer.state_items import CardRecord, card_item, card_record, terminal_state
from cardwatch_shared.features.online import CardState, TerminalState

TOKEN = "ab" * 32


def read(item: dict[str, Any]) -> CardRecord:
    """The item as BatchGetItem hands it back."""
    return card_record(item)


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
        "state": {"S": '{"days": {"20400": [2.0, 37.5]}, "last": 1762600000}'},
        "applied": {"S": json.dumps(["tx-1", "tx-2"])},
        "version": {"N": "3"},
    }
    record = read(legacy)
    assert record.state == state
    assert record.version == 3
    assert record.applied == AbsorbedIds.of(["tx-1", "tx-2"])
    assert "tx-3" not in record.applied


def test_a_state_keyed_by_day_is_read_and_written_back_as_day_columns() -> None:
    keyed = '{"days": {"20400": [2.0, 37.5], "20398": [1.0, 5.25]}, "last": 1762600000}'
    item = {"pk": {"S": f"card#{TOKEN}"}, "state": {"S": keyed}, "version": {"N": "2"}}
    record = read(item)
    assert record.state == CardState({20400: (2.0, 37.5), 20398: (1.0, 5.25)}, 1762600000)
    written = json.loads(card_item(TOKEN, record)["state"]["S"])
    assert written["days"] == {"day": [20400, 20398], "count": [2.0, 1.0], "amount": [37.5, 5.25]}
    assert read(card_item(TOKEN, record)).state == record.state


def test_a_terminal_is_its_day_counts() -> None:
    item = {
        "pk": {"S": "terminal#T-1"},
        "n_20400": {"N": "40"},
        "f_20400": {"N": "2"},
        "n_20401": {"N": "1.5E+1"},
        "f_20399": {"N": "1"},
        "n_note": {"S": "not a day"},
        "version": {"N": "3"},
    }
    assert terminal_state(item) == TerminalState(
        {20400: (40.0, 2.0), 20401: (15.0, 0.0), 20399: (0.0, 1.0)}
    )
    assert terminal_state({"pk": {"S": "terminal#T-2"}}) == TerminalState()
