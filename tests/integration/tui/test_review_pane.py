"""The Review tab against moto: the queued verdicts one by one with the card's history; one key
records the decision as a label, takes the verdict off the queue and shows the next."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from textual.widgets import Static

from cardwatch_shared.features.online import CardState
from cardwatch_shared.features.spec import SECONDS_PER_DAY
from cardwatch_shared.review_queue import ReviewQueue, queued
from cardwatch_shared.verdict_item import to_item
from cardwatch_tui.screens.review_pane import ReviewPane
from cardwatch_tui.stack_client import StackNames
from tests.support.tables import create_table
from tests.support.verdicts import sample_verdict
from tests.unit.tui.app_under_test import make_app, settle

pytestmark = pytest.mark.integration
VERDICTS, STATE, LABELS = "rv-verdicts", "rv-state", "rv-labels"
# Noon two days ago: the verdicts' minutes after it stay on its day, whenever the test runs.
EVENT = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=2)


def _text(pane: ReviewPane, selector: str) -> str:
    return str(pane.query_one(selector, Static).render())


async def test_decide_the_queue_with_one_key_each(aws_endpoint: str, tmp_path: Path) -> None:
    dynamodb = boto3.resource("dynamodb", endpoint_url=aws_endpoint, region_name="us-east-1")
    client = dynamodb.meta.client
    for logical, name in (("VerdictsTable", VERDICTS), ("StateTable", STATE)):
        create_table(client, logical, name)
    create_table(client, "LabelsTable", LABELS)
    first, second = (
        sample_verdict(i, event_time=(EVENT + timedelta(minutes=i)).isoformat(),
                       scored_at=(EVENT + timedelta(minutes=i, seconds=5)).isoformat())
        for i in (1, 2)
    )  # fmt: skip
    for verdict in (first, second):
        dynamodb.Table(VERDICTS).put_item(Item=queued(to_item(verdict)))
    dynamodb.Table(VERDICTS).put_item(Item=to_item(sample_verdict(3)))  # not queued
    day = int(EVENT.timestamp()) // SECONDS_PER_DAY
    state = CardState(days={day: (3.0, 120.0), day - 10: (1.0, 30.0)}, last_seconds=None)
    token = first.card_token
    dynamodb.Table(STATE).put_item(
        Item={"pk": f"card#{token}", "state": json.dumps(state.to_dict()), "version": 1}
    )  # fmt: skip
    names = StackNames("unused", VERDICTS, {}, state_table=STATE, labels_table=LABELS)
    app = make_app(tmp_path, endpoint=aws_endpoint, names=names)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f7")
        pane = app.query_one(ReviewPane)
        await settle(pilot, lambda: "2 waiting" in _text(pane, "#review-count"))
        assert first.transaction_id in _text(pane, "#review-verdict")
        assert "•••• " + first.last4 in _text(pane, "#review-verdict")
        await settle(pilot, lambda: "in 30d" in _text(pane, "#review-history"))
        assert "3 in 1d, 3 in 7d, 4 in 30d" in _text(pane, "#review-history")
        assert "mean amount 30d 37.50" in _text(pane, "#review-history")

        await pilot.press("f")
        await settle(pilot, lambda: "labelled fraud" in _text(pane, "#review-status"))
        assert second.transaction_id in _text(pane, "#review-verdict")
        await pilot.press("l")
        await settle(pilot, lambda: "labelled legit" in _text(pane, "#review-status"))
        assert "nothing to review" in _text(pane, "#review-verdict")

    labels = {i["transaction_id"]: i["label"] for i in dynamodb.Table(LABELS).scan()["Items"]}
    assert labels == {first.transaction_id: "fraud", second.transaction_id: "legit"}
    assert ReviewQueue(client, VERDICTS).pending() == []
    risk = dynamodb.Table(STATE).get_item(Key={"pk": f"cardrisk#{token}"})["Item"]
    assert risk[f"f_{day}"] == 1  # the fraud decision counts on the card
