"""Scorer compute path: decode → validate → features → one predict_proba → verdict items, with
storage faked in memory; beside bare `predict_proba` on the same feature matrix (the floor: the
scorer's own prediction call, `boosted_trees.py`, with scikit-learn's own call beside it) and a
naive per-record scorer (one DataFrame and one predict per transaction, as first designed); and
the same path with a 20-rule set and 200 list entries beside the model-only path; and the path
with a warm snapshot (cards with 30 days of history and 500 absorbed ids), as a busy deployment
reads it: once with the batch's 50 cards and 3 terminals, once with a different card and terminal
for every record, as a stream of many cards delivers them. The path runs as the handler runs it,
with the cyclic collector paused until the batch's objects are freed (`gc_pause.py`). A record's
time is also split: the model, decoding and validation, the verdict item (each of these timed
alone), and the rest, so that each part can be read against the model's; and decoding beside
decoding as it was before the fast reader (every record through the contract's pydantic model).
Run: `uv run python -m bench.scorer_path`.
"""

from __future__ import annotations

import argparse
import base64
import math
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.results_table import Measurement, table, write


def build_model() -> Any:
    """A HistGradientBoosting bundle trained on a small simulation (the production candidate)."""

    from cardwatch_ml.bundle import build_bundle
    from cardwatch_ml.datasets import fingerprint, from_simulation
    from cardwatch_ml.simulator import SimulationConfig, simulate
    from cardwatch_ml.training import TrainConfig, train
    from cardwatch_scorer.model_cache import load_bundle

    sim = simulate(SimulationConfig(cards=400, terminals=800, days=30, seed=1))
    tx = from_simulation(sim)
    model = train(tx, TrainConfig(candidates=("hist_gradient_boosting",), with_labels=False))
    bundle = build_bundle(model, fingerprint(tx), version="bench")
    return load_bundle(bundle.model_bytes, bundle.manifest)


def records(n: int, cards: int = 50, terminals: int = 3) -> list[dict[str, Any]]:
    """A Lambda Kinesis batch of n transactions over `cards` cards and `terminals` terminals,
    ingested at a time with microseconds, as ingest writes it (the time its run started)."""
    from tests.support.transactions import T0, transaction

    ingested_at = T0 + timedelta(minutes=n, microseconds=123_456)
    out = []
    for i in range(n):
        card, terminal = f"card{i % cards}", f"T-{i % terminals}"
        tx = transaction(i, card=card, amount=f"{10 + i % 300}.00", terminal_id=terminal,
                         ingested_at=ingested_at)  # fmt: skip
        data = base64.b64encode(tx.model_dump_json().encode()).decode()
        out.append({"kinesis": {"sequenceNumber": f"{i:030d}", "data": data, "partitionKey": "k"}})
    return out


class MemoryStore:
    """StateStore stand-in for a compute measurement: empty snapshot, writes dropped."""

    def snapshot(self, *_args: Any) -> Any:
        from cardwatch_scorer.state_store import Snapshot

        return Snapshot(set(), {}, {})

    def commit(self, records: list[Any], _counts: list[Any]) -> set[str]:
        return {record.transaction_id for record in records}

    def save_cards(self, records: dict[str, Any]) -> dict[str, str]:
        for record in records.values():
            record.state.to_dict()
        return {}

    def add_scores(self, _version: str, _day: int, counts: list[int]) -> list[int]:
        return counts


class WarmStore(MemoryStore):
    """A snapshot as a busy deployment reads it: every card with 30 days of history and 500
    absorbed ids, every terminal with the 37 days its state keeps. A batch owns its snapshot (it
    updates its cards in place), so a fresh one is made for each run, before it is timed, as the
    store reads one per batch."""

    def __init__(self, batch: list[dict[str, Any]], runs: int = 12) -> None:
        from cardwatch_scorer.batch import decode
        from cardwatch_shared.features.spec import SECONDS_PER_DAY

        transactions = [tx for _, tx in decode(batch)[0]]
        self._start = min(int(tx.event_time.timestamp()) for tx in transactions)
        self._day = self._start // SECONDS_PER_DAY
        self._cards = sorted({tx.card_token for tx in transactions})
        self._terminals = sorted({tx.terminal_id for tx in transactions})
        self._ready = [self._fresh() for _ in range(runs)]

    def _fresh(self) -> Any:
        from cardwatch_scorer.absorbed_ids import AbsorbedIds
        from cardwatch_scorer.state_items import CardRecord
        from cardwatch_scorer.state_store import Snapshot
        from cardwatch_shared.features.online import CardState, TerminalState
        from cardwatch_shared.features.spec import SPEC

        card_days = {self._day - k: (3.0, 90.0) for k in range(1, 30)}
        terminal_days = {self._day - k: (40.0, 1.0) for k in range(1, SPEC.state_days)}
        ids = AbsorbedIds.of(f"old-{i}" for i in range(500)).to_bytes()
        cards = {
            token: CardRecord(CardState(dict(card_days), self._start - 3600), AbsorbedIds(ids), 7)
            for token in self._cards
        }
        terminals = {terminal: TerminalState(dict(terminal_days)) for terminal in self._terminals}
        return Snapshot(set(), cards, terminals)

    def snapshot(self, *_args: Any) -> Any:
        return self._ready.pop() if self._ready else self._fresh()


def twenty_rules() -> Any:
    """20 rules of the kinds an analyst writes (velocity, amount, category, score, nested) and
    200 list entries, as the scorer would hold them live."""
    from cardwatch_scorer.rules_cache import LiveRules
    from cardwatch_shared.contracts import RuleSet

    def cond(field: str, op: str, value: Any) -> dict[str, Any]:
        return {"field": field, "op": op, "value": value}

    whens: list[dict[str, Any]] = [
        cond("amount", "ge", 200.0 + 10 * i) for i in range(4)
    ] + [
        cond("card_count_1d", "gt", 3.0 + i) for i in range(3)
    ] + [
        cond("mcc", "in", ["5999", "7995", "4829"]),
        cond("country", "not_in", ["FR", "DE", "ES"]),
        cond("channel", "eq", "card_present"),
        cond("score", "ge", 0.3),
        cond("card_seconds_since_last", "lt", 60.0),
        {"all": [cond("amount_to_card_mean_30d", "gt", 5.0), cond("card_count_30d", "ge", 5.0)]},
        {"any": [cond("is_night", "eq", 1.0), cond("is_weekend", "eq", 1.0)]},
        {"all": [cond("amount", "lt", 5.0), {"any": [cond("card_count_1d", "ge", 4.0),
                                                     cond("channel", "eq", "card_present")]}]},
        cond("terminal_count_7d", "gt", 100.0),
        cond("merchant_id", "eq", "M-404"),
        cond("currency", "ne", "EUR"),
        cond("amount_to_card_mean_7d", "ge", 3.0),
        {"all": [cond("score", "ge", 0.1), cond("amount", "gt", 100.0)]},
    ]  # fmt: skip
    actions = ("review", "block", "allow")
    rules = [
        {"name": f"rule_{i:02d}", "description": f"bench rule {i}", "when": when,
         "action": actions[i % 3], "priority": i * 7 % 100}
        for i, when in enumerate(whens)
    ]  # fmt: skip
    lists = [
        {"kind": "terminal", "value": f"T-{i + 2}", "action": "block", "reason": "bench"}
        for i in range(100)
    ] + [
        {"kind": "card", "value": f"{i:064x}", "action": "allow", "reason": "bench"}
        for i in range(100)
    ]
    return LiveRules(RuleSet.model_validate({"rules": rules, "lists": lists}), "bench")


class FixedRules:
    def __init__(self, live: Any) -> None:
        self.live = live

    def get(self) -> Any:
        return self.live


class FixedModels:
    def __init__(self, live: Any) -> None:
        self.live = live

    def get(self) -> Any:
        return self.live


def handled(batch: list[dict[str, Any]], store: Any, models: Any, rules: Any = None) -> None:
    """`process_batch` as the handler runs it: the collector paused until its outcome is freed."""
    from cardwatch_scorer.batch import process_batch
    from cardwatch_scorer.gc_pause import gc_paused

    with gc_paused():
        process_batch(batch, store, models, 500, rules=rules)


def best_rate(n: int, repeats: int, func: Any) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return n / min(times)


def best_rates(n: int, repeats: int, funcs: list[Any]) -> list[float]:
    """records/s of each function at its best, run round-robin so that a noisy moment on a shared
    machine hits them all alike."""
    best = [float("inf")] * len(funcs)
    for _ in range(repeats):
        for index, func in enumerate(funcs):
            start = time.perf_counter()
            func()
            best[index] = min(best[index], time.perf_counter() - start)
    return [n / seconds for seconds in best]


def measure_size(live: Any, n: int) -> list[Measurement]:
    """One batch size: the path, the floor and the naive scorer."""
    from cardwatch_scorer.batch import process_batch

    batch = records(n)
    store, models = MemoryStore(), FixedModels(live)
    outcome = process_batch(batch, store, models, 500)  # type: ignore[arg-type]
    assert outcome.scored is not None
    frame = outcome.scored.features
    assert frame is not None
    matrix = frame.to_numpy(dtype=np.float64)
    sample = min(n, 100)

    def naive() -> None:
        for i in range(sample):
            live.estimator.predict(pd.DataFrame([frame.iloc[i].to_dict()]).to_numpy())

    naive_rate = best_rate(sample, 2, naive)
    rules = FixedRules(twenty_rules())
    ruled = process_batch(batch, store, models, 500, rules=rules)  # type: ignore[arg-type]
    assert ruled.scored is not None
    assert any(r.rules_fired for r in ruled.scored.records), "the rule set must do work"
    warm = WarmStore(batch)
    warmed = process_batch(batch, warm, models, 500)  # type: ignore[arg-type]
    assert warmed.scored is not None
    assert min(v.features["card_count_30d"] for v in warmed.scored.verdicts()) > 87, "warm"
    spread = records(n, cards=n, terminals=n)
    spread_warm = WarmStore(spread)
    decode, build_items = mandatory_parts(batch, outcome.scored.verdicts(), live.manifest)
    path, with_rules, floor, warm_path, spread_path, sklearn_call = best_rates(
        n,
        9,
        [
            lambda: handled(batch, store, models),
            lambda: handled(batch, store, models, rules),
            lambda: live.predictor.predict_proba(matrix),
            lambda: handled(batch, warm, models),
            lambda: handled(spread, spread_warm, models),
            lambda: live.estimator.predict_proba(matrix),
        ],
    )
    decoded, by_model = best_rates(n, 9, [decode, contract_decoding(batch)])
    built = best_rate(n, 9, build_items)
    name = f"scorer path, batch {n}"
    return [
        *parts_of_record(n, path=path, model=floor, decoded=decoded, built=built),
        Measurement(name, path, "records/s", "bare predict_proba", floor),
        Measurement(
            f"bare predict_proba, batch {n}",
            floor,
            "records/s",
            "scikit-learn's own predict_proba (a Python call a tree)",
            sklearn_call,
        ),
        Measurement(name, path, "records/s", "naive per-record scorer", naive_rate),
        Measurement(
            f"{name}, warm state (30 days a card, 500 ids)",
            warm_path,
            "records/s",
            "bare predict_proba",
            floor,
        ),
        Measurement(
            f"{name}, warm state, a card and a terminal per record",
            spread_path,
            "records/s",
            "bare predict_proba",
            floor,
        ),
        Measurement(
            f"scorer path + 20 rules, 200 list entries, batch {n}",
            with_rules,
            "records/s",
            "scorer path, model only",
            path,
        ),
        Measurement(
            f"scorer path: decode and validate, batch {n}",
            decoded,
            "records/s",
            "every record validated by the contract's pydantic model",
            by_model,
        ),
    ]


def mandatory_parts(
    batch: list[dict[str, Any]], verdicts: list[Any], manifest: Any
) -> tuple[Any, Any]:
    """Two parts of the path that every record needs whatever the features cost, each alone: the
    batch decoded and validated (`decode`), and its verdicts built (`batch_features_texts`,
    then `verdict_records`) from the same transactions, judgements and features the path produced;
    the collector paused, as in the path."""
    from datetime import UTC, datetime

    from cardwatch_scorer.batch import decode
    from cardwatch_scorer.features_json import batch_features_texts
    from cardwatch_scorer.gc_pause import gc_paused
    from cardwatch_scorer.verdict_record import verdict_records
    from cardwatch_shared.verdict_item import Judgement, VerdictStamp

    by_id = {tx.transaction_id: tx for _, tx in decode(batch)[0]}
    names = sorted({name for v in verdicts for name in v.features})
    columns = {name: np.asarray([v.features.get(name, math.nan) for v in verdicts])
               for name in names}  # fmt: skip
    judged = [
        (by_id[v.transaction_id], Judgement(v.score, v.decision, v.reason_codes, v.rules_fired))
        for v in verdicts
    ]
    stamp = VerdictStamp(manifest.threshold, manifest.version, None, datetime.now(UTC))

    def decoded() -> None:
        with gc_paused():
            decode(batch)

    def built() -> None:
        with gc_paused():
            texts = batch_features_texts(columns, len(verdicts))
            verdict_records(
                [(tx, j, text) for (tx, j), text in zip(judged, texts, strict=True)],
                stamp,
                [tx.times_text for tx, _ in judged],
            )

    return decoded, built


def contract_decoding(batch: list[dict[str, Any]]) -> Any:
    """Decoding as it was before the fast reader: each record's JSON validated by the contract's
    own pydantic-core validator; the collector paused, as in the path."""
    import binascii

    from cardwatch_scorer.gc_pause import gc_paused
    from cardwatch_shared.contracts import Transaction

    validate = Transaction.__pydantic_validator__.validate_json

    def decoded() -> None:
        with gc_paused():
            for record in batch:
                validate(binascii.a2b_base64(record["kinesis"]["data"], strict_mode=True))

    return decoded


def parts_of_record(
    n: int, *, path: float, model: float, decoded: float, built: float
) -> list[Measurement]:
    """A record's time in the path (µs), split: the model (bare `predict_proba`), decoding and
    validation, the verdict item, and the rest (order, state, features, judgement), each beside
    the model's. Within 3× of bare prediction means the three beside the model sum to 2 at most."""
    micro = {part: 1e6 / rate for part, rate in
             (("path", path), ("model", model), ("decode", decoded), ("items", built))}  # fmt: skip
    rest = micro["path"] - micro["model"] - micro["decode"] - micro["items"]
    unit, reference = "µs a record", "bare predict_proba, µs a record"
    return [
        Measurement(f"{label}, batch {n}", value, unit, reference, micro["model"])
        for label, value in (
            ("scorer path, whole", micro["path"]),
            ("scorer path: decode and validate", micro["decode"]),
            ("scorer path: verdict items", micro["items"]),
            ("scorer path: the rest (order, state, features, judgement)", rest),
        )
    ]


STATE_DAY = 20_400  # the event day of the state-item benchmarks


def busy_card(day: int = STATE_DAY) -> tuple[Any, list[str]]:
    """A busy card's state (30 days of history) and the 500 ids it absorbed."""
    from cardwatch_shared.features.online import CardState

    state = CardState({day - k: (3.0, 90.0 + 1.37 * k) for k in range(1, 30)}, day * 86_400)
    return state, [f"{i:08x}-4f1c-4b8e-9c1d-5a7e2b9f{i:04x}" for i in range(500)]


def terminal_item(day: int = STATE_DAY) -> dict[str, Any]:
    """A terminal's item as stored: 37 days of counts, a fraud every fifth day."""
    item: dict[str, Any] = {"pk": {"S": "terminal#T-1"}}
    for age in range(37):
        item[f"n_{day - age}"] = {"N": str(40 + age)}
        if age % 5 == 0:
            item[f"f_{day - age}"] = {"N": "1"}
    return item


def day_keyed(state: Any) -> dict[str, Any]:
    """A card's state in the format before day columns: a bucket per day key."""
    return {"days": dict(state.days), "last": state.last_seconds}


def measure_state_items(runs: int = 2000) -> list[Measurement]:
    """The state items every batch reads and writes outside the compute path, each beside the way
    it was done before, in the same run: a busy card's item (30 days of history, 500 absorbed
    ids), read and written, beside its state keyed by day (before day columns) and beside the
    format before digests (the ids as a JSON list, the state keyed by day, through the json
    module); that item's size, which sets its read and write units; and a terminal's item,
    read."""
    import json

    from boto3.dynamodb.types import TypeDeserializer
    from pydantic_core import to_json

    from cardwatch_scorer.absorbed_ids import AbsorbedIds
    from cardwatch_scorer.state_items import CardRecord, card_item, card_record
    from cardwatch_shared.features.online import CardState

    deserialize = TypeDeserializer().deserialize
    state, ids = busy_card()
    item = card_item("ab" * 32, CardRecord(state, AbsorbedIds.of(ids), 7))
    legacy = {"pk": item["pk"], "state": {"S": json.dumps(day_keyed(state))},
              "applied": {"S": json.dumps(ids)}, "version": item["version"]}  # fmt: skip
    keyed_item = {**item, "state": {"S": to_json(day_keyed(state)).decode()}}

    def now() -> None:
        record = card_record(item)
        record.applied.add("tx-new", 500)
        card_item("ab" * 32, record)

    def keyed() -> None:
        record = card_record(keyed_item)
        record.applied.add("tx-new", 500)
        _ = {"pk": item["pk"], "state": {"S": to_json(day_keyed(record.state)).decode()},
             "version": {"N": str(record.version + 1)},
             "absorbed": {"B": record.applied.to_bytes()}}  # fmt: skip

    def before() -> None:
        read = {name: deserialize(value) for name, value in legacy.items()}
        kept = json.loads(read["applied"])
        days = CardState.from_dict(json.loads(read["state"]))
        kept = [*kept, "tx-new"][-500:]
        _ = {"state": {"S": json.dumps(day_keyed(days))}, "applied": {"S": json.dumps(kept)}}

    rate, by_day, reference = best_rates(
        runs, 5, [_repeated(now, runs), _repeated(keyed, runs), _repeated(before, runs)]
    )
    size, legacy_size = (sum(len(next(iter(v.values()))) for v in i.values())
                         for i in (item, legacy))  # fmt: skip
    name = "card item (30 days, 500 ids), read and written"
    return [
        Measurement(name, rate, "cards/s", "the same, state keyed by day", by_day),
        Measurement(name, rate, "cards/s", "the same, before digests", reference),
        Measurement("card item size", size, "bytes", "before digests", legacy_size),
        measure_terminal_item(runs),
    ]


def measure_terminal_item(runs: int) -> Measurement:
    """A terminal's item (37 days, a fraud every fifth day), read as every batch reads each of its
    terminals, beside the read through boto3's deserialiser (a Decimal per attribute)."""
    from boto3.dynamodb.types import TypeDeserializer

    from cardwatch_scorer.state_items import terminal_state
    from cardwatch_shared.features.online import TerminalState

    deserialize = TypeDeserializer().deserialize
    item = terminal_item()

    def before() -> None:
        read = {name: deserialize(value) for name, value in item.items()}
        counts: dict[int, float] = {}
        frauds: dict[int, float] = {}
        for name, value in read.items():
            if name[:2] in {"n_", "f_"} and name[2:].isdigit():
                (counts if name[0] == "n" else frauds)[int(name[2:])] = float(value)
        TerminalState({d: (counts.get(d, 0.0), frauds.get(d, 0.0)) for d in counts | frauds})

    rate, reference = best_rates(
        runs, 5, [_repeated(lambda: terminal_state(item), runs), _repeated(before, runs)]
    )
    name = "terminal item (37 days), read"
    return Measurement(name, rate, "terminals/s", "through boto3's deserialiser", reference)


def _repeated(func: Any, runs: int) -> Any:
    def repeated() -> None:
        for _ in range(runs):
            func()

    return repeated


def measure(sizes: list[int]) -> list[Measurement]:
    """records/s of the path, of bare predict_proba and of the naive scorer, per batch size, on
    one core: scikit-learn's OpenMP pool is held to one thread, as the issue's figures ask."""
    from threadpoolctl import threadpool_limits

    live = build_model()
    with threadpool_limits(limits=1):
        return [m for n in sizes for m in measure_size(live, n)] + measure_state_items()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,500,1000")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    measurements = measure([int(s) for s in args.sizes.split(",")])
    print(table(measurements))
    print(f"written: {write(measurements, args.out)}")


if __name__ == "__main__":
    main()
