"""Rule sets in S3, versioned like models: `rules/versions/<version>.json` and the
`rules/current.json` pointer the scorer follows. Publishing validates first; a set that fails
never becomes current, and rollback moves the pointer back to a version already published.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from cardwatch_shared.contracts.field_errors import reason_of
from cardwatch_shared.contracts.rule_set import ListEntry, RuleSet

CURRENT_RULES_KEY = "rules/current.json"
VERSIONS_PREFIX = "rules/versions/"


class RuleSetError(ValueError):
    """A rule set that cannot be used; the message says why (never echoing list values)."""


class RulesPointer(BaseModel):
    """Which rule set is live, and the hash its body must have."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(pattern=r"^[0-9TZ]{8,32}$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    published_at: AwareDatetime
    rules: int = Field(ge=0)
    list_entries: int = Field(ge=0)

    @property
    def key(self) -> str:
        """Where the body of this version lives."""
        return f"{VERSIONS_PREFIX}{self.version}.json"


def describe_errors(error: ValidationError) -> list[tuple[tuple[str | int, ...], str]]:
    """(location, reason) of each problem, without the offending input, in the words of the
    field's rule (`name must be a lower-case letter, …`)."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for details in error.errors(include_input=False, include_url=False):
        named = [part for part in details["loc"] if isinstance(part, str)]
        problems.append((tuple(details["loc"]), reason_of(details, named[-1] if named else None)))
    return problems


def parse_body(body: bytes, sha256: str | None = None) -> RuleSet:
    """The rule set in a stored body, hash-checked when `sha256` is given."""
    if sha256 is not None and hashlib.sha256(body).hexdigest() != sha256:
        raise RuleSetError("rule set body does not match the pointer's sha256")
    try:
        return RuleSet.model_validate_json(body)
    except ValidationError as exc:
        first = "; ".join(f"{'.'.join(map(str, loc))}: {why}" for loc, why in describe_errors(exc))
        raise RuleSetError(f"stored rule set is invalid: {first}") from None


def render(rules: RuleSet) -> bytes:
    """The canonical stored form (aliases, so `all`/`any` read as written)."""
    return rules.model_dump_json(by_alias=True, indent=1).encode()


class RuleRegistry:
    """Publish, read, list and roll back rule sets in one bucket (a boto3 S3 client)."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3, self._bucket = s3, bucket

    def _get(self, key: str) -> bytes:
        return bytes(self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read())

    def _put(self, key: str, body: bytes) -> None:
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType="application/json")

    def pointer(self) -> RulesPointer | None:
        """The live pointer, or None when no rule set was ever published."""
        try:
            return RulesPointer.model_validate_json(self._get(CURRENT_RULES_KEY))
        except self._s3.exceptions.NoSuchKey:
            return None

    def load(self, pointer: RulesPointer) -> RuleSet:
        """The body a pointer names, verified."""
        return parse_body(self._get(pointer.key), pointer.sha256)

    def current(self) -> tuple[RulesPointer, RuleSet] | None:
        """The live pointer and rule set."""
        pointer = self.pointer()
        return None if pointer is None else (pointer, self.load(pointer))

    def publish(self, rules: RuleSet, now: datetime | None = None) -> RulesPointer:
        """Store `rules` as a new version and make it live."""
        moment = now or datetime.now(UTC)
        body = render(RuleSet.model_validate(rules.model_dump(by_alias=True)))
        pointer = RulesPointer(
            version=moment.strftime("%Y%m%dT%H%M%S%fZ"),
            sha256=hashlib.sha256(body).hexdigest(),
            published_at=moment,
            rules=len(rules.rules),
            list_entries=len(rules.lists),
        )
        self._put(pointer.key, body)
        self._put(CURRENT_RULES_KEY, pointer.model_dump_json().encode())
        return pointer

    def add_entry(self, entry: ListEntry, now: datetime | None = None) -> RulesPointer:
        """Publish the live set with `entry` on its list (replacing one for the same key)."""
        live = self.current()
        base = live[1] if live is not None else RuleSet()
        return self.publish(base.with_entry(entry), now)

    def versions(self) -> list[RulesPointer]:
        """Every published version, oldest first."""
        keys: list[str] = []
        for page in self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=VERSIONS_PREFIX
        ):
            keys += [o["Key"] for o in page.get("Contents", [])]
        found: list[RulesPointer] = []
        for key in sorted(keys):
            body = self._get(key)
            rules = parse_body(body)
            version = key.removeprefix(VERSIONS_PREFIX).removesuffix(".json")
            found.append(
                RulesPointer(
                    version=version,
                    sha256=hashlib.sha256(body).hexdigest(),
                    published_at=datetime.strptime(version, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC),
                    rules=len(rules.rules),
                    list_entries=len(rules.lists),
                )
            )
        return found

    def rollback(self, version: str | None = None) -> RulesPointer:
        """Make `version` (default: the one before the live one) live again."""
        versions = self.versions()
        live = self.pointer()
        if version is None:
            earlier = [v for v in versions if live is None or v.version < live.version]
            if not earlier:
                raise RuleSetError("no earlier rule set to roll back to")
            target = earlier[-1]
        else:
            matches = [v for v in versions if v.version == version]
            if not matches:
                raise RuleSetError(f"no published rule set {version}")
            target = matches[0]
        self._put(CURRENT_RULES_KEY, target.model_dump_json().encode())
        return target
