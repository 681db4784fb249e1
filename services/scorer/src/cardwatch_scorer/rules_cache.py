"""The live rule set: `rules/current.json` re-read at most every `rules_refresh_s`, so a published
rule takes effect without a redeploy. A set that fails its hash or validation is refused and the
one in use kept; with none ever published the scorer runs on the model alone."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cardwatch_shared.contracts.rule_set import RuleSet
from cardwatch_shared.rule_registry import RuleRegistry, RuleSetError


@dataclass(frozen=True)
class LiveRules:
    """A verified rule set and its version (None: no rule set published)."""

    rules: RuleSet = field(default_factory=RuleSet)
    version: str | None = None


class RulesCache:
    """Holds the live rules; follows the pointer when it moves."""

    def __init__(
        self,
        registry: RuleRegistry,
        refresh_s: float,
        on_refused: Callable[[str], None] = lambda _: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._registry, self._refresh_s = registry, refresh_s
        self._on_refused, self._clock = on_refused, clock
        self._live = LiveRules()
        self._checked_at: float | None = None

    def get(self) -> LiveRules:
        """The rules to apply (refreshing the pointer when due)."""
        now = self._clock()
        if self._checked_at is None or now - self._checked_at >= self._refresh_s:
            self._refresh()  # S3 errors propagate: the batch fails and is retried, not ruleless
            self._checked_at = now
        return self._live

    def _refresh(self) -> None:
        try:
            pointer = self._registry.pointer()
            if pointer is None or pointer.version == self._live.version:
                return
            rules = self._registry.load(pointer)
        except (RuleSetError, ValueError) as exc:
            self._on_refused(str(exc))
            return
        self._live = LiveRules(rules, pointer.version)
