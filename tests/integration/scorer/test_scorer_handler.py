"""The scorer handler against moto: batches in, verdicts and state out, exactly once in effect."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from cardwatch_scorer import handler
from cardwatch_scorer.absorbed_ids import AbsorbedIds
from cardwatch_scorer.observability import logger
from cardwatch_scorer.state_store import StateStore
from cardwatch_shared.aws_clients import resource
from cardwatch_shared.contracts import Transaction, Verdict
from cardwatch_shared.features.online import CardState
from cardwatch_shared.verdict_item import from_item
from tests.integration.scorer.conftest import BUCKET, STATE, ScorerStack
from tests.support.kinesis_events import payload
from tests.support.log_capture import log_lines
from tests.support.models import amount_model, boosted_model, publish
from tests.support.transactions import transaction

pytestmark = pytest.mark.integration
MANIFEST = "models/m4/manifest.json"


def card_count(stack: ScorerStack, token: str) -> float:
    item = stack.state()[f"card#{token}"]
    days = CardState.from_dict(json.loads(item["state"])).days
    return float(sum(count for count, _ in days.values()))


def test_fraud_and_legit(scorer_stack: ScorerStack) -> None:
    legit, fraud = transaction(0, amount="20.00"), transaction(1, amount="950.00")
    response = scorer_stack.invoke(scorer_stack.event_for([legit, fraud]))
    assert response == {"batchItemFailures": []}
    verdicts = {k: from_item(v) for k, v in scorer_stack.verdicts().items()}
    assert not verdicts["tx-00000"].is_fraud
    assert verdicts["tx-00001"].is_fraud
    assert verdicts["tx-00001"].decision.value == "block"
    assert verdicts["tx-00001"].model_version == "m1"
    assert any(r.code == "high_amount" for r in verdicts["tx-00001"].reason_codes)
    assert card_count(scorer_stack, legit.card_token) == 2
    assert (
        scorer_stack.state()["terminal#T-1"]["n_" + str(int(fraud.event_time.timestamp()) // 86400)]
        == 1
    )


def test_replayed_batch_changes_nothing(scorer_stack: ScorerStack) -> None:
    event = scorer_stack.event_for([transaction(i, card="ab"[i % 2]) for i in range(6)])
    scorer_stack.invoke(event)
    verdicts, state = scorer_stack.verdicts(), scorer_stack.state()
    scorer_stack.invoke(event)
    scorer_stack.invoke(event)
    assert scorer_stack.verdicts() == verdicts
    assert scorer_stack.state() == state


def test_poison_record_fails_alone(scorer_stack: ScorerStack) -> None:
    txs = [transaction(i) for i in range(3)]
    event = scorer_stack.event_for(
        txs, raw=[b'{"not": "a transaction"}', *(t.model_dump_json().encode() for t in txs)]
    )
    response = scorer_stack.invoke(event)
    poison = event["Records"][0]["kinesis"]["sequenceNumber"]
    assert response == {"batchItemFailures": [{"itemIdentifier": poison}]}
    assert sorted(scorer_stack.verdicts()) == ["tx-00000", "tx-00001", "tx-00002"]


def test_partial_failure_and_replay_from_the_lowest_failed_record(
    scorer_stack: ScorerStack,
) -> None:
    txs = [transaction(i, card="c") for i in range(5)]
    raw = [t.model_dump_json().encode() for t in txs]
    raw.insert(2, b"garbage")
    event = scorer_stack.event_for(txs, raw=raw)
    response = scorer_stack.invoke(event)
    failed = response["batchItemFailures"][0]["itemIdentifier"]
    resume = next(
        i for i, r in enumerate(event["Records"]) if r["kinesis"]["sequenceNumber"] == failed
    )
    replay = {"Records": event["Records"][resume:]}
    scorer_stack.invoke(replay)
    assert len(scorer_stack.verdicts()) == 5
    assert card_count(scorer_stack, txs[0].card_token) == 5, "no double counting"
    terminal_total = sum(
        float(v)
        for item in scorer_stack.state().values()
        if item["pk"].startswith("terminal#")
        for k, v in item.items()
        if k.startswith("n_")
    )
    assert terminal_total == 5


def test_crash_between_verdicts_and_card_state_is_absorbed_on_replay(
    scorer_stack: ScorerStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    txs = [transaction(i, card="d") for i in range(4)]
    event = scorer_stack.event_for(txs)
    real_save = StateStore.save_card

    def crash(self: StateStore, token: str, record: Any) -> None:
        raise RuntimeError("container died")

    monkeypatch.setattr(StateStore, "save_card", crash)
    with pytest.raises(RuntimeError, match="container died"):
        scorer_stack.invoke(event)
    assert len(scorer_stack.verdicts()) == 4
    monkeypatch.setattr(StateStore, "save_card", real_save)
    scorer_stack.invoke(event)
    assert card_count(scorer_stack, txs[0].card_token) == 4
    assert len(scorer_stack.verdicts()) == 4


def test_a_card_item_written_before_digests_recognises_its_replays(
    scorer_stack: ScorerStack,
) -> None:
    txs = [transaction(i, card="e") for i in range(5)]
    scorer_stack.invoke(scorer_stack.event_for(txs[:4]))
    key = f"card#{txs[0].card_token}"
    item = scorer_stack.state()[key]
    assert item["absorbed"].value == digests(txs[:4]), "4 ids kept as 8-byte digests"
    del item["absorbed"]
    item["applied"] = json.dumps([tx.transaction_id for tx in txs[:4]])  # as before digests
    resource("dynamodb").Table(STATE).put_item(Item=item)
    scorer_stack.invoke(scorer_stack.event_for(txs))  # 4 replays and a new one
    assert card_count(scorer_stack, txs[0].card_token) == 5, "the replays were recognised"
    rewritten = scorer_stack.state()[key]
    assert "applied" not in rewritten
    assert rewritten["absorbed"].value == digests(txs)


def digests(txs: list[Transaction]) -> bytes:
    return AbsorbedIds.of(tx.transaction_id for tx in txs).to_bytes()


def test_model_hot_swap(scorer_stack: ScorerStack) -> None:
    scorer_stack.invoke(scorer_stack.event_for([transaction(0, amount="300.00")]))
    publish(scorer_stack.s3, BUCKET, amount_model("m2", cutoff=200.0))
    scorer_stack.invoke(scorer_stack.event_for([transaction(1, amount="300.00")]))
    verdicts = {k: from_item(v) for k, v in scorer_stack.verdicts().items()}
    assert (verdicts["tx-00000"].model_version, verdicts["tx-00000"].is_fraud) == ("m1", False)
    assert (verdicts["tx-00001"].model_version, verdicts["tx-00001"].is_fraud) == ("m2", True)


def test_a_boosted_model_is_scored_by_walking_its_trees(scorer_stack: ScorerStack) -> None:
    with log_lines(logger) as taken:
        scorer_stack.invoke(scorer_stack.event_for([transaction(0)]))
        publish(scorer_stack.s3, BUCKET, boosted_model("b1"))
        scorer_stack.invoke(
            scorer_stack.event_for([transaction(i, amount="410.00") for i in (1, 2)])
        )
    loaded = [(line["model_version"], line["prediction"]) for line in taken()
              if line["message"] == "model loaded"]  # fmt: skip
    assert loaded == [("m1", "the estimator's own predict_proba"), ("b1", "trees walked")]
    live = handler.runtime()[2].get()
    names = live.manifest.feature_names
    for tx_id in ("tx-00001", "tx-00002"):
        verdict = from_item(scorer_stack.verdicts()[tx_id])
        row = [[verdict.features.get(name, float("nan")) for name in names]]
        assert verdict.score == live.estimator.predict_proba(np.array(row))[0, 1]


def test_tampered_bundle_is_refused_and_the_old_model_kept(scorer_stack: ScorerStack) -> None:
    scorer_stack.invoke(scorer_stack.event_for([transaction(0)]))
    good = amount_model("m3")
    data = bytearray(good.model_bytes)
    data[100] ^= 0xFF
    publish(scorer_stack.s3, BUCKET, good)
    scorer_stack.s3.put_object(Bucket=BUCKET, Key="models/m3/model.skops", Body=bytes(data))
    scorer_stack.invoke(scorer_stack.event_for([transaction(1)]))
    verdict: Verdict = from_item(scorer_stack.verdicts()["tx-00001"])
    assert verdict.model_version == "m1"


@pytest.mark.parametrize(
    "change",
    [
        {"model_file": "../../incoming/day.csv"},
        {"model_file": "s3://elsewhere/model.skops"},
        {"version": "m1"},
    ],
    ids=["file-outside-the-bundle", "other-bucket", "manifest-of-another-version"],
)
def test_a_manifest_pointing_elsewhere_is_refused(
    scorer_stack: ScorerStack, change: dict[str, str]
) -> None:
    scorer_stack.invoke(scorer_stack.event_for([transaction(0)]))
    publish(scorer_stack.s3, BUCKET, amount_model("m4"))
    manifest = json.loads(scorer_stack.s3.get_object(Bucket=BUCKET, Key=MANIFEST)["Body"].read())
    scorer_stack.s3.put_object(Bucket=BUCKET, Key=MANIFEST, Body=json.dumps(manifest | change))
    scorer_stack.invoke(scorer_stack.event_for([transaction(1)]))
    verdict: Verdict = from_item(scorer_stack.verdicts()["tx-00001"])
    assert verdict.model_version == "m1"


def test_a_pointer_outside_the_models_folder_is_refused(scorer_stack: ScorerStack) -> None:
    scorer_stack.invoke(scorer_stack.event_for([transaction(0)]))
    pointer = {"version": "../rules", "sha256": "0" * 64}
    scorer_stack.s3.put_object(Bucket=BUCKET, Key="models/current.json", Body=json.dumps(pointer))
    scorer_stack.invoke(scorer_stack.event_for([transaction(1)]))
    assert from_item(scorer_stack.verdicts()["tx-00001"]).model_version == "m1"


def test_no_model_fails_the_batch_for_retry(scorer_stack: ScorerStack) -> None:
    scorer_stack.s3.delete_object(Bucket=BUCKET, Key="models/current.json")
    handler.runtime.cache_clear()
    from cardwatch_shared.model_manifest import BundleError

    event = scorer_stack.event_for([transaction(0)])
    with log_lines(logger) as taken, pytest.raises(BundleError, match="no usable model"):
        scorer_stack.invoke(event)
    assert scorer_stack.verdicts() == {}
    (failed,) = taken()
    assert failed["level"] == "ERROR"
    assert failed["message"] == "batch failed; Lambda delivers it again"
    assert failed["batch_id"].endswith(event["Records"][0]["kinesis"]["sequenceNumber"])
    assert "BundleError" in failed["exception_name"]


def test_logs_name_the_batch_each_fraud_and_each_failed_record(
    scorer_stack: ScorerStack,
) -> None:
    legit, fraud = transaction(0, amount="20.00"), transaction(1, amount="950.00")
    poison = b'{"transaction_id": "tx-poison", "amount": "-1"}'
    event = scorer_stack.event_for([], raw=[payload(legit), payload(fraud), poison])
    sequences = [record["kinesis"]["sequenceNumber"] for record in event["Records"]]
    with log_lines(logger) as taken:
        scorer_stack.invoke(event)
        lines = taken()
        scorer_stack.invoke({"Records": event["Records"][1:2]})  # a replay: nothing new to flag
        again = taken()
    assert {line["message"] for line in lines} == {
        "model loaded",  # a new container's first batch loads the model
        "record failed",
        "fraud flagged",
        "batch scored",
    }
    assert {line["batch_id"] for line in lines} == {
        f"shardId-000000000000:{sequences[0]}-{sequences[-1]}"
    }
    (failed,) = [line for line in lines if line["message"] == "record failed"]
    assert failed["sequence_number"] == sequences[2]
    assert failed["transaction_id"] == "tx-poison"
    assert "not a valid Transaction" in failed["reason"]
    (flagged,) = [line for line in lines if line["message"] == "fraud flagged"]
    assert flagged["transaction_id"] == "tx-00001"
    assert flagged["decision"] == "block"
    assert "high_amount" in flagged["reasons"]
    assert flagged["model_version"] == "m1"

    assert [line["message"] for line in again] == ["batch scored"]
    assert again[0]["batch_id"] == f"shardId-000000000000:{sequences[1]}-{sequences[1]}"
