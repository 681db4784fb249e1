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
    """Type the card number key by key (it is masked as typed); set the other fields."""
    pilot.app.query_one("#in-card_number", Input).focus()
    await pilot.pause()
    await pilot.press(*card)
    for name, value in {**VALID, **fields}.items():
        pilot.app.query_one(f"#in-{name}", Input).value = value
    await pilot.pause()


async def settle(pilot: Pilot[None], done: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Let the app run until `done()` holds (workers finish in their own time); fail on timeout."""
    for _ in range(int(timeout_s / 0.1)):
        if done():
            return
        await pilot.pause(0.1)
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
