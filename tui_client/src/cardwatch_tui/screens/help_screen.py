"""Help: the keys, the tabs, and where things go."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# cardwatch — help

| key | what |
|---|---|
| F2 … F7 | New transaction, Batch, Verdicts, Alerts, Operations, Review |
| f / l / n / r | in Review: label fraud, label legit, next, reload the queue |
| Enter | in the form: add the transaction to the batch |
| Ctrl+S | save the batch as CSV in the outbox |
| Ctrl+U | upload the batch to `incoming/` |
| Ctrl+P | command palette: every action by name |
| F1 / Esc | open / close this help |
| Ctrl+Q | quit |

Card numbers are masked as you type and shown afterwards only as `•••• 1234`. The saved CSV
holds them in full (it is the upload format), so the outbox is readable by you only.

The app talks to the local stack by default (`cardwatch local up`); set `CARDWATCH_ENVIRONMENT`
and `CARDWATCH_AWS_PROFILE` to use a deployed stack.
"""


class HelpScreen(ModalScreen[None]):
    """A modal over the app; Esc or F1 closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1", "dismiss", "close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen VerticalScroll { width: 90%; max-width: 100; height: 90%; background: $panel; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(HELP)
