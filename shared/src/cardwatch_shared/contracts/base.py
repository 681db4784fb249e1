"""Base class of every versioned contract: its schema version travels with each payload."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """A message or record that crosses a service boundary.

    `SCHEMA_VERSION` is "MAJOR.MINOR": a change that breaks a consumer (a required field removed or
    retyped) needs a new major version; the contract tests enforce it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    SCHEMA_NAME: ClassVar[str]
    SCHEMA_VERSION: ClassVar[str]
