"""A verdict survives its DynamoDB item form: what the scorer writes, the notifier reads back; and
the items the scorer builds from what it judged equal those of the validated `Verdict`."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, DecimalException
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardwatch_scorer.verdict_record import VerdictRecord, verdict_record, verdict_records
from cardwatch_shared.attribute_values import attribute_map
from cardwatch_shared.contracts import Channel, Decision, ReasonCode, Verdict
from cardwatch_shared.contracts.verdict import MAX_REASONS
from cardwatch_shared.verdict_item import (
    Judgement,
    VerdictStamp,
    features_text,
    features_texts,
    from_item,
    to_item,
)
from tests.support.transactions import transaction
from tests.support.verdicts import sample_verdict

pytestmark = pytest.mark.contract

feature_values = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 1e-5, 1e300, 5e-324, 0.1 + 0.2, 123456789.123]
)


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=1000),
    features=st.dictionaries(st.from_regex(r"[a-z_0-9]{1,30}", fullmatch=True), feature_values),
    score=st.floats(min_value=0, max_value=1),
)
def test_item_round_trips_and_writes_non_finite_features_as_null(
    index: int, features: dict[str, float], score: float
) -> None:
    verdict = sample_verdict(index, features=features, score=score)
    item = to_item(verdict)
    finite = {k: v for k, v in features.items() if math.isfinite(v)}
    assert json.loads(item["features"]) == {k: finite.get(k) for k in features}
    assert item["score"] == Decimal(repr(score))
    assert isinstance(item["amount"], Decimal)
    assert isinstance(item["threshold"], Decimal)
    assert from_item(item) == verdict.model_copy(update={"features": finite})


def test_item_has_the_contract_s_json_form_for_everything_else() -> None:
    verdict = sample_verdict(3)
    item = to_item(verdict)
    dumped = verdict.model_dump(mode="json")
    for name in ("score", "threshold", "amount", "features"):
        dumped.pop(name)
        item.pop(name)
    assert item == dumped


names = st.from_regex(r"[a-z_0-9]{1,30}", fullmatch=True)
moments = st.datetimes(
    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2030, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))]),
)
codes = st.builds(
    ReasonCode,
    code=st.from_regex(r"[a-z0-9_]{1,20}", fullmatch=True),
    text=st.text(st.characters(codec="utf-8"), min_size=1, max_size=200),
)
cases = st.fixed_dictionaries(
    {
        "index": st.integers(min_value=0, max_value=10_000),
        "amount": st.decimals(min_value="0.01", max_value="99999.99", places=2),
        "channel": st.sampled_from(list(Channel)),
        "event_time": moments,
        "scored_at": moments,
        "score": st.floats(min_value=0, max_value=1),
        "threshold": st.floats(min_value=0, max_value=1),
        "decision": st.sampled_from(list(Decision)),
        "reasons": st.lists(codes, max_size=MAX_REASONS),
        "rules": st.lists(names, max_size=4),
        "rule_set": st.none() | names,
        "features": st.dictionaries(names, feature_values),
    }
)


@settings(max_examples=200, deadline=None)
@given(case=cases)
def test_the_scorer_s_items_equal_those_of_the_validated_verdict(case: dict[str, Any]) -> None:
    tx = transaction(
        case["index"],
        amount=str(case["amount"]),
        channel=case["channel"],
        event_time=case["event_time"],
    )
    judged = Judgement(case["score"], case["decision"], case["reasons"], case["rules"])
    stamp = VerdictStamp(case["threshold"], "m-1", case["rule_set"], case["scored_at"])
    verdict = Verdict(
        transaction_id=tx.transaction_id,
        card_token=tx.card_token,
        last4=tx.last4,
        amount=tx.amount,
        currency=tx.currency,
        merchant_id=tx.merchant_id,
        merchant_name=tx.merchant_name,
        mcc=tx.mcc,
        terminal_id=tx.terminal_id,
        channel=tx.channel,
        country=tx.country,
        score=case["score"],
        threshold=case["threshold"],
        is_fraud=case["decision"] is Decision.BLOCK,
        decision=case["decision"],
        model_version="m-1",
        reason_codes=case["reasons"],
        rules_fired=case["rules"],
        rule_set_version=case["rule_set"],
        features=case["features"],
        event_time=tx.event_time,
        ingested_at=tx.ingested_at,
        scored_at=case["scored_at"],
        source_key=tx.source.key,
        source_row=tx.source.row_number,
    )
    record = verdict_record(tx, judged, features_text(case["features"]), stamp)
    item = record.item()
    assert item == to_item(verdict)
    _same_attributes(record, item)
    assert VerdictRecord.of(verdict) == record
    finite = {k: v for k, v in case["features"].items() if math.isfinite(v)}
    assert from_item(item) == verdict.model_copy(update={"features": finite})


def _same_attributes(record: VerdictRecord, item: dict[str, Any]) -> None:
    """The record's attribute values are the item's; a number DynamoDB cannot hold (a threshold
    of 1e-186, say) is refused by both alike."""
    try:
        expected = attribute_map(item)
    except DecimalException as exc:
        with pytest.raises(type(exc)):
            record.attributes()
    else:
        assert record.attributes() == expected


@settings(max_examples=50, deadline=None)
@given(batch=st.lists(cases, min_size=2, max_size=8))
def test_a_batch_s_items_equal_each_one_s_alone(batch: list[dict[str, Any]]) -> None:
    stamp = VerdictStamp(0.5, "m-1", None, datetime(2026, 12, 1, tzinfo=UTC))
    verdicts = [
        (
            transaction(case["index"], amount=str(case["amount"]), event_time=case["event_time"]),
            Judgement(case["score"], case["decision"], case["reasons"], case["rules"]),
            features_text(case["features"]),
        )
        for case in batch
    ]
    alone = [verdict_record(tx, judged, features, stamp) for tx, judged, features in verdicts]
    assert verdict_records(verdicts, stamp) == alone
    assert verdict_records([], stamp) == []
    scores = [record.score for record in verdict_records(verdicts, stamp)]
    assert scores == [Decimal(repr(case["score"])) for case in batch]


@settings(max_examples=200, deadline=None)
@given(
    names=st.lists(
        st.from_regex(r"[a-z_0-9]{1,30}", fullmatch=True)
        | st.text(alphabet=st.sampled_from('a,[]{}:"\\\n%s\x00é'), max_size=6),
        unique=True,
        max_size=20,
    ),
    data=st.data(),
)
def test_a_batch_s_features_texts_equal_each_row_s_alone(names: list[str], data: Any) -> None:
    row = st.lists(feature_values, min_size=len(names), max_size=len(names))
    table = data.draw(st.lists(row, max_size=6))
    texts = features_texts(names, table)
    assert texts == [features_text(dict(zip(names, values, strict=True))) for values in table]


def test_an_item_written_before_nulls_reads_the_same() -> None:
    verdict = sample_verdict(1, features={"amount": 12.0, "card_seconds_since_last": math.nan})
    item = to_item(verdict)
    assert json.loads(item["features"]) == {"amount": 12.0, "card_seconds_since_last": None}
    older = {**item, "features": '{"amount":12.0}'}
    assert from_item(older) == from_item(item)
    assert from_item(item).features == {"amount": 12.0}
