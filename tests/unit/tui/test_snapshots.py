"""Snapshots of the main screens at 80×24 and 120×40 (pytest-textual-snapshot; update with
`pytest tests/unit/tui/test_snapshots.py --snapshot-update` after a deliberate change)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.unit.tui.app_under_test import add_transaction, make_app, type_transaction

pytestmark = pytest.mark.unit
SIZES = [(80, 24), (120, 40)]


async def _two_entries(pilot: Pilot[None]) -> None:
    await add_transaction(pilot, "4111111111111111", transaction_id="tx-0001")
    await add_transaction(pilot, "5555555555554444", transaction_id="tx-0002", amount="7.10")
    await pilot.press("f3")
    await pilot.pause()


async def _bad_entry(pilot: Pilot[None]) -> None:
    await type_transaction(pilot, "4111111111111112", amount="-5")
    await pilot.press("enter")
    await pilot.pause()


SCREENS: dict[str, tuple[list[str], Callable[[Pilot[None]], Any] | None]] = {
    "new": ([], None),
    "new-errors": ([], _bad_entry),
    "batch": ([], _two_entries),
    "help": (["f1"], None),
}


def _settled(before: Callable[[Pilot[None]], Any] | None) -> Callable[[Pilot[None]], Any]:
    """Run `before`, then stop cursors blinking and let animations (tab underline) finish."""

    async def run(pilot: Pilot[None]) -> None:
        for field in pilot.app.query(Input):
            field.cursor_blink = False
        if before is not None:
            await before(pilot)
        await pilot.wait_for_animation()
        await pilot.pause(0.3)

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare: Any, tmp_path: Path, screen: str, size: tuple[int, int]) -> None:
    press, before = SCREENS[screen]
    app = make_app(Path("/nonexistent/cardwatch-snapshots"))
    assert snap_compare(app, press=press, terminal_size=size, run_before=_settled(before))
