"""Batch: the transactions to send (masked cards), edit/delete, simulate N, save as CSV to the
outbox, and upload with a progress bar; a failed upload can be retried (same key, no duplicate)."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Static

from cardwatch_tui.batch import Batch, Entry
from cardwatch_tui.messages import BatchUploaded, EditEntry
from cardwatch_tui.stack_unreachable import StackUnreachableError

COLUMNS = ("transaction", "card", "amount", "merchant", "category", "time", "channel")


class BatchPane(Vertical):
    """The current batch and what can be done with it."""

    DEFAULT_CSS = """
    BatchPane DataTable { height: 1fr; }
    BatchPane Horizontal { height: auto; }
    BatchPane Input { width: 10; }
    BatchPane Button { min-width: 8; margin-right: 1; }
    BatchPane Label { padding: 1 0 0 0; }
    BatchPane #batch-status { height: auto; padding: 0 1; }
    """

    def __init__(self, batch: Batch, outbox: Path, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.current, self.outbox = batch, outbox

    def compose(self) -> ComposeResult:
        yield DataTable(id="batch-table", cursor_type="row", zebra_stripes=True)
        with Horizontal():
            yield Button("Edit", id="edit")
            yield Button("Delete", id="delete", variant="error")
            yield Label("simulate")
            yield Input("20", id="sim-count", restrict=r"[0-9]*", max_length=5)
            yield Label("share")
            yield Input("0.05", id="sim-share", restrict=r"[0-9.]*", max_length=4)
            yield Button("Simulate", id="simulate")
        with Horizontal():
            yield Button("Save CSV", id="save")
            yield Button("Upload", id="upload", variant="primary")
            yield ProgressBar(total=1, id="upload-progress", show_eta=False)
        yield Static("", id="batch-status")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.refresh_table()

    def refresh_table(self) -> None:
        """Redraw the rows and the status line from the batch."""
        table = self.query_one(DataTable)
        table.clear()
        for entry in self.current.entries:
            c = entry.cells
            amount = f"{c['amount']} {c['currency']}"
            cells = (entry.transaction_id, entry.masked_card, amount, c["merchant_name"])
            rest = (c["mcc"], c["timestamp"], c["channel"])
            table.add_row(*cells, *rest, key=entry.transaction_id)
        self._status()

    def _status(self, extra: str = "") -> None:
        parts = [f"{len(self.current.entries)} transaction(s)"]
        if self.current.saved:
            parts.append(f"saved: {self.current.saved}")
        if self.current.uploaded_key:
            parts.append(f"uploaded: {self.current.uploaded_key}")
        self.query_one("#batch-status", Static).update(
            " · ".join(parts) + (f"\n{extra}" if extra else "")
        )

    def add(self, entries: list[Entry]) -> None:
        for entry in entries:
            self.current.add(entry)
        self.refresh_table()

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @on(Button.Pressed, "#delete")
    def delete(self) -> None:
        """Delete the selected transaction."""
        selected = self._selected()
        if selected:
            self.current.remove(selected)
            self.refresh_table()

    @on(Button.Pressed, "#edit")
    def edit(self) -> None:
        """Move the selected transaction back to the form."""
        selected = self._selected()
        entry = self.current.remove(selected) if selected else None
        if entry:
            self.refresh_table()
            self.post_message(EditEntry(entry))

    @on(Button.Pressed, "#simulate")
    def simulate(self) -> None:
        """Add N simulated transactions (the simulator, in a worker)."""
        count = int(self.query_one("#sim-count", Input).value or "0")
        share = float(self.query_one("#sim-share", Input).value or "0")
        if not 1 <= count <= 10_000:
            self._status("simulate: choose 1 to 10,000 transactions")
            return
        self._status(f"simulating {count} transactions…")
        self._simulate(count, share)

    @work(thread=True, exclusive=True, group="simulate")
    def _simulate(self, count: int, share: float) -> None:
        from cardwatch_tui.simulate import simulate_entries

        now = self.app.clock()  # type: ignore[attr-defined]
        entries = simulate_entries(count, share, seed=len(self.current.entries) + 1, now=now)
        self.app.call_from_thread(self.add, entries)

    @on(Button.Pressed, "#save")
    def save(self) -> Path | None:
        """Write the batch CSV to the outbox."""
        if not self.current.entries:
            self._status("nothing to save: add or simulate transactions first")
            return None
        path = self.current.save(self.outbox)
        self._status()
        return path

    @on(Button.Pressed, "#upload")
    def upload(self) -> None:
        """Save (if needed) and upload to `incoming/` in a worker, with progress."""
        if not self.current.entries:
            self._status("nothing to upload: add or simulate transactions first")
            return
        path = self.current.saved or self.current.save(self.outbox)
        self.current.uploaded_key = None  # until this upload lands
        bar = self.query_one(ProgressBar)
        bar.update(total=path.stat().st_size, progress=0)
        self._status(f"uploading to {self.current.upload_key}…")
        self._upload(path)

    @work(thread=True, exclusive=True, group="upload")
    def _upload(self, path: Path) -> None:
        key, ids = self.current.upload_key, [e.transaction_id for e in self.current.entries]
        bar = self.query_one(ProgressBar)
        try:
            client = self.app.stack_client()  # type: ignore[attr-defined]
            client.upload(path, key, lambda sent: self.app.call_from_thread(bar.advance, sent))
        except StackUnreachableError as error:
            self.app.call_from_thread(
                self._status, f"upload failed, press Upload to retry: {error}"
            )
            return
        self.app.call_from_thread(self._uploaded, key, ids)

    def _uploaded(self, key: str, ids: list[str]) -> None:
        self.current.uploaded_key = key
        self._status()
        self.post_message(BatchUploaded(key, ids))
