"""`RuleSet`: an analyst's rules and allow/block lists, applied by the scorer after the model.

A rule is data, never code: conditions over a fixed catalogue of fields (the transaction's, the
online features, the model score), combined with `all`/`any`, and an action. Lists hold card
tokens (never card numbers), terminals and merchants, each with an optional expiry.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, Discriminator, Field, Tag, model_validator

from cardwatch_shared.contracts.base import Contract
from cardwatch_shared.contracts.transaction import TOKEN_PATTERN
from cardwatch_shared.contracts.verdict import Decision
from cardwatch_shared.features.spec import SPEC

CATEGORICAL_FIELDS = (
    "card_token",
    "terminal_id",
    "merchant_id",
    "mcc",
    "channel",
    "country",
    "currency",
)
NUMERIC_FIELDS = tuple(
    dict.fromkeys(
        ("score", *SPEC.feature_names(with_labels=True, with_channel=True)),
    )
)
MAX_DEPTH = 4
MAX_RULES = 200
LIST_PRIORITY = {"block": 1001, "allow": 1000}  # lists outrank every rule (priority ≤ 999)


class Op(StrEnum):
    """Comparison operators of the condition language."""

    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"
    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"


ORDERING_OPS = frozenset({Op.GT, Op.GE, Op.LT, Op.LE})
SET_OPS = frozenset({Op.IN, Op.NOT_IN})


class Condition(Contract):
    """`field op value`, e.g. `card_count_1d gt 5`; a missing (NaN) feature never matches."""

    SCHEMA_NAME: ClassVar[str] = "rule_condition"
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    field: str
    op: Op
    value: float | str | list[float] | list[str]

    @model_validator(mode="after")
    def _check(self) -> Condition:
        numeric = self.field in NUMERIC_FIELDS
        if not numeric and self.field not in CATEGORICAL_FIELDS:
            known = ", ".join((*CATEGORICAL_FIELDS, *NUMERIC_FIELDS))
            raise ValueError(f"unknown field {self.field!r} (known: {known})")
        if self.op in SET_OPS:
            self._check_list(numeric)
        elif isinstance(self.value, list):
            raise ValueError(f"{self.op.value} takes one value, not a list (use in / not_in)")
        elif numeric and not isinstance(self.value, float | int):
            raise ValueError(f"{self.field} is a number: compare it with a number")
        elif not numeric and self.op in ORDERING_OPS:
            raise ValueError(f"{self.field} is a category: use eq, ne, in or not_in")
        elif not numeric and not isinstance(self.value, str):
            raise ValueError(f"{self.field} is a category: compare it with a string")
        return self

    def _check_list(self, numeric: bool) -> None:
        if not isinstance(self.value, list) or not self.value:
            raise ValueError(f"{self.op.value} takes a non-empty list")
        wanted = (float, int) if numeric else (str,)
        if not all(isinstance(v, wanted) for v in self.value):
            kind = "numbers" if numeric else "strings"
            raise ValueError(f"{self.field} in/not_in takes a list of {kind}")


def _node_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "all" if "all" in value else "any" if "any" in value else "condition"
    return "all" if isinstance(value, AllOf) else "any" if isinstance(value, AnyOf) else "condition"


Node = Annotated[
    Annotated[Condition, Tag("condition")]
    | Annotated["AllOf", Tag("all")]
    | Annotated["AnyOf", Tag("any")],
    Discriminator(_node_kind),
]


class AllOf(Contract):
    """True where every member is."""

    SCHEMA_NAME: ClassVar[str] = "rule_all"
    SCHEMA_VERSION: ClassVar[str] = "1.0"
    model_config = Contract.model_config | {"populate_by_name": True}

    members: list[Node] = Field(alias="all", min_length=1, max_length=20)


class AnyOf(Contract):
    """True where at least one member is."""

    SCHEMA_NAME: ClassVar[str] = "rule_any"
    SCHEMA_VERSION: ClassVar[str] = "1.0"
    model_config = Contract.model_config | {"populate_by_name": True}

    members: list[Node] = Field(alias="any", min_length=1, max_length=20)


def depth(node: Condition | AllOf | AnyOf) -> int:
    """Nesting depth of a condition tree (a lone condition is 1)."""
    if isinstance(node, Condition):
        return 1
    return 1 + max(depth(member) for member in node.members)


class Rule(Contract):
    """A named condition and the decision it forces where it matches."""

    SCHEMA_NAME: ClassVar[str] = "rule"
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")
    description: str = Field(min_length=1, max_length=160)
    when: Node
    action: Decision
    priority: int = Field(default=0, ge=0, le=999, description="the highest firing rule decides")
    enabled: bool = True

    @model_validator(mode="after")
    def _shallow(self) -> Rule:
        if depth(self.when) > MAX_DEPTH:
            raise ValueError(f"conditions nest deeper than {MAX_DEPTH} levels")
        return self


class ListKind(StrEnum):
    """What a list entry names."""

    CARD = "card"
    TERMINAL = "terminal"
    MERCHANT = "merchant"


LIST_COLUMN = {
    ListKind.CARD: "card_token",
    ListKind.TERMINAL: "terminal_id",
    ListKind.MERCHANT: "merchant_id",
}


class ListEntry(Contract):
    """A card token, terminal or merchant on the block or allow list, until `expires_at`."""

    SCHEMA_NAME: ClassVar[str] = "list_entry"
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    kind: ListKind
    value: str = Field(min_length=1, max_length=64)
    action: Literal["block", "allow"]
    reason: str = Field(min_length=1, max_length=160)
    last4: str | None = Field(default=None, pattern=r"^\d{4}$", description="cards only, shown")
    expires_at: AwareDatetime | None = None
    added_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _card_is_token(self) -> ListEntry:
        if self.kind is ListKind.CARD and not re.fullmatch(TOKEN_PATTERN, self.value):
            raise ValueError("a card entry holds the card's token (64 hex digits), never a number")
        return self

    def active(self, now: datetime) -> bool:
        """Whether the entry still applies at `now`."""
        return self.expires_at is None or now < self.expires_at


class RuleSet(Contract):
    """Rules and lists, published together as one version."""

    SCHEMA_NAME: ClassVar[str] = "rule_set"
    SCHEMA_VERSION: ClassVar[str] = "1.0"

    schema_version: Literal["1.0"] = "1.0"
    description: str = Field(default="", max_length=500)
    rules: list[Rule] = Field(default_factory=list, max_length=MAX_RULES)
    lists: list[ListEntry] = Field(default_factory=list, max_length=100_000)

    @model_validator(mode="after")
    def _unique(self) -> RuleSet:
        names = [rule.name for rule in self.rules]
        if dupes := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"rule names must be unique: {', '.join(dupes)}")
        keys = [(e.kind, e.value) for e in self.lists]
        if len(set(keys)) != len(keys):
            raise ValueError("a card, terminal or merchant may appear in the lists only once")
        return self

    def with_entry(self, entry: ListEntry) -> RuleSet:
        """This set with `entry` added (replacing any entry for the same card/terminal/merchant)."""
        kept = [e for e in self.lists if (e.kind, e.value) != (entry.kind, entry.value)]
        return RuleSet(description=self.description, rules=self.rules, lists=[*kept, entry])


AllOf.model_rebuild()
AnyOf.model_rebuild()
Rule.model_rebuild()
