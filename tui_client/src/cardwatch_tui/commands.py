"""Command palette entries for the app's main actions."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider


class CardwatchCommands(Provider):
    """Save, upload, simulate, and go to each tab, by name."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in self.app.palette_actions():  # type: ignore[attr-defined]
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(self.app.run_action, action),
                    help=help_text,
                )
