"""Rules and lists in the scorer against moto: block and allow lists, a velocity rule, a rule set
published while the scorer runs, and a broken rule set that never replaces the live one."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cardwatch_shared.contracts import ListEntry, RuleSet, Verdict
from cardwatch_shared.review_queue import PENDING, REVIEW_ATTRIBUTE
from cardwatch_shared.rule_registry import CURRENT_RULES_KEY, RuleRegistry, RulesPointer
from cardwatch_shared.verdict_item import from_item
from tests.integration.notifier.conftest import NotifierStack
from tests.integration.scorer.conftest import BUCKET, ScorerStack
from tests.support.transactions import transaction

pytestmark = pytest.mark.integration


def token(card: str) -> str:
    return hashlib.sha256(card.encode()).hexdigest()


def entry(kind: str, value: str, action: str) -> ListEntry:
    return ListEntry.model_validate(
        {"kind": kind, "value": value, "action": action, "reason": f"test {action} {kind}"}
    )


VELOCITY: dict[str, Any] = {
    "name": "burst_today",
    "description": "more than 4 transactions today",
    "when": {"all": [{"field": "card_count_1d", "op": "gt", "value": 4}]},
    "action": "review",
    "priority": 50,
}


def registry(stack: ScorerStack) -> RuleRegistry:
    return RuleRegistry(stack.s3, BUCKET)


def verdicts(stack: ScorerStack) -> dict[str, Verdict]:
    return {k: from_item(v) for k, v in stack.verdicts().items()}


def test_block_listed_card_is_fraud_and_mailed_whatever_its_score(
    scorer_stack: ScorerStack, notifier_stack: NotifierStack
) -> None:
    # The notifier fixture points the scorer at its verdicts table, whose stream feeds the notifier.
    registry(scorer_stack).publish(RuleSet(lists=[entry("card", token("stolen"), "block")]))
    small = transaction(0, card="stolen", amount="3.50")
    other = transaction(1, card="fine", amount="3.50")
    assert scorer_stack.invoke(scorer_stack.event_for([small, other])) == {"batchItemFailures": []}
    stored = from_item(notifier_stack.verdict_item(small.transaction_id))
    assert stored.score < stored.threshold  # the model alone would let it through
    assert stored.is_fraud
    assert stored.decision.value == "block"
    assert stored.rules_fired == ["block_list:card"]
    assert stored.reason_codes[0].text == "card on the block list: test block card"
    assert not from_item(notifier_stack.verdict_item(other.transaction_id)).is_fraud
    assert notifier_stack.invoke(notifier_stack.tap.next_event()) == {"batchItemFailures": []}
    emails = notifier_stack.emails()
    assert len(emails) == 1
    assert small.transaction_id in emails[0]["body"]
    assert "card on the block list" in emails[0]["body"]


def test_allow_listed_card_is_never_fraud(scorer_stack: ScorerStack) -> None:
    registry(scorer_stack).publish(RuleSet(lists=[entry("card", token("vip"), "allow")]))
    big = transaction(0, card="vip", amount="950.00")
    same_elsewhere = transaction(1, card="other", amount="950.00")
    scorer_stack.invoke(scorer_stack.event_for([big, same_elsewhere]))
    found = verdicts(scorer_stack)
    assert found["tx-00000"].score >= found["tx-00000"].threshold
    assert not found["tx-00000"].is_fraud
    assert found["tx-00000"].decision.value == "allow"
    assert found["tx-00000"].rules_fired == ["allow_list:card"]
    assert found["tx-00001"].is_fraud  # the model still decides for other cards


def test_expired_list_entry_no_longer_applies(scorer_stack: ScorerStack) -> None:
    past = datetime.now(UTC) - timedelta(days=1)
    gone = entry("terminal", "T-0", "block").model_copy(update={"expires_at": past})
    registry(scorer_stack).publish(RuleSet(lists=[gone]))
    scorer_stack.invoke(scorer_stack.event_for([transaction(0, amount="3.00")]))
    assert verdicts(scorer_stack)["tx-00000"].decision.value == "allow"


def test_velocity_rule_fires_on_a_burst(scorer_stack: ScorerStack) -> None:
    registry(scorer_stack).publish(RuleSet.model_validate({"rules": [VELOCITY]}))
    burst = [transaction(i, card="burst", amount="2.00") for i in range(7)]
    calm = transaction(20, card="calm", amount="2.00")
    scorer_stack.invoke(scorer_stack.event_for([*burst, calm]))
    found = verdicts(scorer_stack)
    decisions = [found[t.transaction_id].decision.value for t in burst]
    assert decisions == ["allow"] * 4 + ["review"] * 3  # the 5th of the day is the first over 4
    fifth = found[burst[4].transaction_id]
    assert fifth.rules_fired == ["burst_today"]
    assert fifth.reason_codes[0].code == "rule_burst_today"
    assert not fifth.is_fraud  # review queues, it does not alert
    items = scorer_stack.verdicts()
    assert [items[t.transaction_id].get(REVIEW_ATTRIBUTE) for t in burst[4:]] == [PENDING] * 3
    assert found[calm.transaction_id].rules_fired == []


def test_published_rule_takes_effect_without_restart(scorer_stack: ScorerStack) -> None:
    scorer_stack.invoke(scorer_stack.event_for([transaction(0, card="t", amount="4.00")]))
    assert verdicts(scorer_stack)["tx-00000"].rule_set_version is None
    pointer = registry(scorer_stack).add_entry(entry("terminal", "T-1", "block"))
    scorer_stack.invoke(scorer_stack.event_for([transaction(1, card="t", amount="4.00")]))
    second = verdicts(scorer_stack)["tx-00001"]  # the same warm container, refresh interval 0
    assert second.is_fraud
    assert second.rule_set_version == pointer.version


def test_broken_rule_set_is_refused_and_the_live_one_stays(scorer_stack: ScorerStack) -> None:
    good = registry(scorer_stack).publish(RuleSet(lists=[entry("terminal", "T-0", "block")]))
    scorer_stack.invoke(scorer_stack.event_for([transaction(0, amount="3.00")]))
    body = b'{"rules": [{"name": "x", "description": "d", "when": {"all": []}, "action": "no"}]}'
    bad = RulesPointer(
        version="20990101T000000000000Z",
        sha256=hashlib.sha256(body).hexdigest(),
        published_at=datetime.now(UTC),
        rules=1,
        list_entries=0,
    )
    scorer_stack.s3.put_object(Bucket=BUCKET, Key=bad.key, Body=body)
    scorer_stack.s3.put_object(
        Bucket=BUCKET, Key=CURRENT_RULES_KEY, Body=bad.model_dump_json().encode()
    )
    assert scorer_stack.invoke(scorer_stack.event_for([transaction(3, amount="3.00")])) == {
        "batchItemFailures": []
    }
    later = verdicts(scorer_stack)["tx-00003"]
    assert later.rule_set_version == good.version
    assert later.is_fraud  # terminal T-0 is still blocked by the live set
