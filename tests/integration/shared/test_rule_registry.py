"""Rule sets in S3 (moto): publish, read back verified, list, add to a list, roll back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cardwatch_shared.aws_clients import client
from cardwatch_shared.contracts import ListEntry, RuleSet
from cardwatch_shared.rule_registry import CURRENT_RULES_KEY, RuleRegistry, RuleSetError

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 29, 12, tzinfo=UTC)


def entry(value: str) -> ListEntry:
    return ListEntry.model_validate(
        {"kind": "terminal", "value": value, "action": "block", "reason": "skimmer"}
    )


@pytest.fixture
def registry(aws_endpoint: str) -> RuleRegistry:
    s3 = client("s3")
    s3.create_bucket(Bucket="cw-rules")
    return RuleRegistry(s3, "cw-rules")


def test_publish_add_list_and_roll_back(registry: RuleRegistry) -> None:
    assert registry.current() is None
    first = registry.publish(RuleSet(description="empty"), T0)
    second = registry.add_entry(entry("T1"), T0 + timedelta(seconds=1))
    third = registry.add_entry(entry("T2"), T0 + timedelta(seconds=2))
    live = registry.current()
    assert live is not None
    assert live[0] == third
    assert [e.value for e in live[1].lists] == ["T1", "T2"]
    assert [v.version for v in registry.versions()] == [
        first.version,
        second.version,
        third.version,
    ]
    assert registry.rollback().version == second.version
    assert registry.rollback(first.version).version == first.version
    with pytest.raises(RuleSetError, match="no earlier rule set"):
        registry.rollback()
    with pytest.raises(RuleSetError, match="no published rule set"):
        registry.rollback("20000101T000000000000Z")


def test_a_tampered_body_is_refused(registry: RuleRegistry, aws_endpoint: str) -> None:
    pointer = registry.publish(RuleSet(lists=[entry("T1")]), T0)
    client("s3").put_object(Bucket="cw-rules", Key=pointer.key, Body=b'{"rules": []}')
    with pytest.raises(RuleSetError, match="sha256"):
        registry.current()
    assert client("s3").get_object(Bucket="cw-rules", Key=CURRENT_RULES_KEY)
