"""Messages the panes send each other through the app."""

from __future__ import annotations

from textual.message import Message

from cardwatch_shared.contracts.label import Label
from cardwatch_shared.label_store import LabelOutcome
from cardwatch_tui.batch import Entry


class EntryAdded(Message):
    """The form validated a transaction; it goes into the batch."""

    def __init__(self, entry: Entry) -> None:
        super().__init__()
        self.entry = entry


class EditEntry(Message):
    """The batch hands an entry back to the form to be edited."""

    def __init__(self, entry: Entry) -> None:
        super().__init__()
        self.entry = entry


class BatchUploaded(Message):
    """A batch landed in the bucket; its verdicts are worth watching."""

    def __init__(self, key: str, transaction_ids: list[str]) -> None:
        super().__init__()
        self.key, self.transaction_ids = key, transaction_ids


class LabelRecorded(Message):
    """An analyst's decision was stored as a label (or found already there)."""

    def __init__(self, label: Label, outcome: LabelOutcome) -> None:
        super().__init__()
        self.label = label
        self.outcome = outcome
