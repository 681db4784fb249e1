"""Pilot-driven tests of every screen: the form adds valid transactions and refuses bad ones,
the batch saves the documented CSV, alerts show, the help and the palette open, and an
unreachable stack says how to start it."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from cardwatch_shared.contracts.transaction_row import ALL_COLUMNS
from cardwatch_tui.screens.help_screen import HelpScreen
from tests.support.leaks import assert_clean
from tests.unit.tui.app_under_test import add_transaction, make_app, settle, type_transaction

pytestmark = pytest.mark.unit
CARD = "4111111111111111"


def _text(app: object, selector: str) -> str:
    return str(app.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def test_a_valid_transaction_lands_in_the_batch_masked(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await type_transaction(pilot, CARD)
        assert "•••• 1111" in _text(app, "#err-card_number")
        await pilot.press("enter")
        await pilot.pause()
        table = app.query_one("#batch-table", DataTable)
        assert table.row_count == 1
        row = [str(cell) for cell in table.get_row_at(0)]
        assert "•••• 1111" in row
        assert "42.50 EUR" in row
        assert_clean(" ".join(row), "the batch table")
        assert "added" in _text(app, "#form-status")


async def test_a_bad_card_and_a_negative_amount_are_refused(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await type_transaction(pilot, "4111111111111112", amount="-5")
        await pilot.press("enter")
        await pilot.pause()
        assert "Luhn" in _text(app, "#err-card_number")
        assert "positive" in _text(app, "#err-amount")
        assert app.query_one("#batch-table", DataTable).row_count == 0
        assert "to fix" in _text(app, "#form-status")


async def test_save_writes_the_upload_csv(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await add_transaction(pilot, CARD)
        await add_transaction(pilot, "5555555555554444", amount="7.10", mcc="5812 Restaurants")
        await pilot.press("ctrl+s")
        await pilot.pause()
    [saved] = (tmp_path / "outbox").iterdir()
    assert saved.name == "batch-20261101T120000.csv"
    assert saved.stat().st_mode & 0o077 == 0, "owner only: the file holds card numbers"
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert list(rows[0]) == list(ALL_COLUMNS)
    assert [r["amount"] for r in rows] == ["42.50", "7.10"]
    assert [r["mcc"] for r in rows] == ["5411", "5812"]
    assert rows[0]["timestamp"] == "2026-11-01T12:00:00Z"


async def test_delete_and_edit_from_the_batch(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one("#batch-table", DataTable)
        for _ in range(2):
            await add_transaction(pilot, CARD)
        assert table.row_count == 2
        await pilot.press("f3")
        await pilot.click("#delete")
        await pilot.pause()
        assert table.row_count == 1
        await pilot.click("#edit")
        await pilot.pause()
        assert app.query_one("#batch-table", DataTable).row_count == 0
        assert app.query_one("#in-merchant_name").value == "Corner Market"  # type: ignore[attr-defined]


async def test_alerts_show_newest_first(tmp_path: Path) -> None:
    mailbox = tmp_path / "mailbox"
    mailbox.mkdir()
    for number, subject in enumerate(["older alert", "newer alert"]):
        path = mailbox / f"{number}.eml"
        path.write_text(f"Subject: {subject}\nDate: day {number}\n\nbody of the {subject}\n")
        os.utime(path, (1_000_000 + number, 1_000_000 + number))
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await pilot.pause()
        table = app.query_one("#alerts-table", DataTable)
        assert [str(table.get_row_at(i)[1]) for i in range(2)] == ["newer alert", "older alert"]
        assert "body of the newer alert" in _text(app, "#alert-body")


async def test_help_and_palette(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert type(app.screen).__name__ == "Screen"
        names = [name for name, _, _ in app.palette_actions()]
        assert {"Save batch as CSV", "Upload batch", "Simulate transactions"} <= set(names)


async def test_an_unreachable_stack_says_how_to_start_it(tmp_path: Path) -> None:
    app = make_app(tmp_path, endpoint="http://127.0.0.1:9")
    async with app.run_test(size=(120, 40)) as pilot:
        await add_transaction(pilot, CARD)
        await pilot.press("ctrl+u")
        await settle(pilot, lambda: "upload failed" in _text(app, "#batch-status"))
        status = _text(app, "#batch-status")
        assert "upload failed" in status
        assert "cardwatch local up" in status
        assert app.batch.uploaded_key is None, "nothing marked uploaded; Upload retries"


async def test_simulate_adds_n_transactions_without_labels(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        app.query_one("#sim-count", Input).value = "25"
        await pilot.click("#simulate")
        table = app.query_one("#batch-table", DataTable)
        await settle(pilot, lambda: table.row_count >= 25)
        assert table.row_count == 25
        assert all("label" not in entry.cells for entry in app.batch.entries)
        assert all(entry.cells["card_number"] for entry in app.batch.entries)
