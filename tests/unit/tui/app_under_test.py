"""An app with a fixed clock, its own folders, and helpers to fill the form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from cardwatch_tui.app import CardwatchApp
from cardwatch_tui.settings import TuiSettings
from cardwatch_tui.stack_client import StackNames

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
VALID = {
    "amount": "42.50",
    "merchant_id": "M-1001",
    "merchant_name": "Corner Market",
    "mcc": "5411",
    "terminal_id": "T-77",
}


def make_app(
    folder: Path, endpoint: str = "http://127.0.0.1:9", names: StackNames | None = None
) -> CardwatchApp:
    settings = TuiSettings(
        tui_outbox_dir=folder / "outbox",
        local_state_dir=folder,
        aws_endpoint_url=endpoint,
        tui_poll_interval_s=0.2,
    )
    return CardwatchApp(settings, clock=lambda: NOW, stack_names=names)


async def type_transaction(pilot: Pilot[None], card: str, **fields: str) -> None:
    """Type the card number key by key (it is masked as typed); set the other fields.

    Typing starts once the card field has the focus and ends once it holds every key: on a busy
    machine a key pressed before the focus lands would go to another widget. A second attempt
    starts from an empty field."""
    field = pilot.app.query_one("#in-card_number", Input)
    for _ in range(2):
        field.value = ""
        field.focus()
        await settle(pilot, lambda: field.has_focus)
        await pilot.press(*card)
        if await settled(pilot, lambda: field.value == card, timeout_s=5.0):
            break
    else:
        raise AssertionError(f"the card field holds {len(field.value)} of {len(card)} digits")
    for name, value in {**VALID, **fields}.items():
        pilot.app.query_one(f"#in-{name}", Input).value = value
    await pilot.pause()


async def settled(pilot: Pilot[None], done: Callable[[], bool], timeout_s: float) -> bool:
    """Let the app run until `done()` holds or `timeout_s` passes; whether it holds."""
    for _ in range(int(timeout_s / 0.1)):
        if done():
            return True
        await pilot.pause(0.1)
    return done()


async def settle(pilot: Pilot[None], done: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Let the app run until `done()` holds (workers finish in their own time); fail on timeout."""
    if not await settled(pilot, done, timeout_s):
        raise AssertionError("the app did not get there in time")


async def add_transaction(pilot: Pilot[None], card: str, **fields: str) -> None:
    """Type a valid transaction, press Enter, and return once the batch holds it: the form resets
    after each add, so the next transaction is typed only after that."""
    app = pilot.app
    assert isinstance(app, CardwatchApp)
    before = len(app.batch.entries)
    await type_transaction(pilot, card, **fields)
    await pilot.press("enter")
    await settle(pilot, lambda: len(app.batch.entries) == before + 1)
