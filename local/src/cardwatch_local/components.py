"""Which parts of the pipeline exist in this checkout, found by importing their entry points.

The demo and `cardwatch --help` use this to tell the truth about what can run.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    """One part of the pipeline and the module whose presence means it is built."""

    name: str
    module: str
    issue: int
    role: str

    @property
    def built(self) -> bool:
        """True when the entry-point module imports."""
        try:
            importlib.import_module(self.module)
        except ImportError:
            return False
        return True


COMPONENTS = (
    Component("contracts", "cardwatch_shared.contracts", 2, "pydantic contracts, JSON Schemas"),
    Component("card safety", "cardwatch_shared.card_number", 2, "Luhn, HMAC token, mask, scrub"),
    Component("model", "cardwatch_ml.cli", 3, "simulator, features, training, bundles"),
    Component("ingest", "cardwatch_ingest.handler", 4, "S3 upload → Kinesis"),
    Component("scorer", "cardwatch_scorer.handler", 5, "Kinesis → features → model → verdicts"),
    Component("notifier", "cardwatch_notifier.handler", 6, "fraud verdicts → SNS email"),
    Component(
        "consumer ESM driver", "kinesis_consumer.esm", 7, "Lambda event-source-mapping driver"
    ),
    Component("consumer leases", "kinesis_consumer.leases", 7, "DynamoDB leases and checkpoints"),
    Component("infra", "cardwatch_local.templates", 8, "SAM templates"),
    Component("local stack", "cardwatch_local.stack", 9, "moto server + local Lambda runtime"),
    Component("terminal app", "cardwatch_tui.app", 10, "Textual app"),
)


def component(name: str) -> Component:
    """The component called `name`."""
    return next(c for c in COMPONENTS if c.name == name)
