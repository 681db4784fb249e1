"""The services' hot AWS calls, the client's own CPU: each call through botocore's walk of its
service model beside the same call in AWS's JSON, written and read by the service itself
(`cardwatch_shared.aws_wire`), in the same run: the scorer's DynamoDB reads and writes, ingest's
Kinesis puts. The network is left out: every request is answered before it is sent with the
reply AWS gives it (a canned body), so what is timed is what the function's CPU does per call,
signing and botocore's hooks included.
Run: `uv run python -m bench.aws_calls`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config

from bench.results_table import Measurement, table
from bench.scorer_path import best_rates, busy_card, terminal_item
from tests.support.aws_faults import RawBody

REFERENCE = "through botocore's model walk"


def _answered(
    wire: bool, reply: dict[str, Any], service: str = "dynamodb", *, short_agent: bool = True
) -> Any:
    """A client that never reaches the network: each request gets `reply`. Its User-Agent is
    the services' short one (`aws_clients.short_user_agent`), or botocore's own."""
    from cardwatch_shared.aws_clients import short_user_agent
    from cardwatch_shared.aws_wire import speak_wire

    made = boto3.session.Session().client(
        service,
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",  # noqa: S106 - signs requests nobody receives
        config=Config(
            parameter_validation=not wire,
            retries={"mode": "standard"},
            user_agent=short_user_agent() if short_agent else None,
        ),
    )
    body = json.dumps(reply).encode()
    made.meta.events.register(
        f"before-send.{service}",
        lambda request, **_: AWSResponse(request.url, 200, {}, RawBody(body)),
    )
    return speak_wire(made) if wire else made


def _card(binary: Callable[[bytes], Any]) -> dict[str, Any]:
    """A busy card's item (30 days, 500 absorbed ids); `binary` shapes the digests as the
    caller holds them (bytes to write, base64 text in a reply)."""
    from cardwatch_scorer.absorbed_ids import AbsorbedIds
    from cardwatch_scorer.state_items import CardRecord, card_item

    state, ids = busy_card()
    item = card_item("ab" * 32, CardRecord(state, AbsorbedIds.of(ids), 7))
    item["absorbed"] = {"B": binary(item["absorbed"]["B"])}
    return item


def _verdict_puts(n: int) -> list[dict[str, Any]]:
    from cardwatch_shared.attribute_values import attribute_map
    from cardwatch_shared.verdict_item import to_item
    from tests.support.verdicts import sample_verdict

    return [
        {
            "Put": {
                "TableName": "cardwatch-verdicts",
                "Item": attribute_map(to_item(sample_verdict(i))),
                "ConditionExpression": "attribute_not_exists(transaction_id)",
            }
        }
        for i in range(n)
    ]


def _transaction_records(n: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`n` transactions as ingest puts them on the stream, and PutRecords' reply."""
    from tests.support.transactions import transaction

    records = [
        {"Data": transaction(i).model_dump_json().encode(), "PartitionKey": "ab" * 32}
        for i in range(n)
    ]
    entry = {"SequenceNumber": "4960" + "1" * 52, "ShardId": "shardId-000000000000"}
    return records, {"FailedRecordCount": 0, "Records": [entry] * n}


def _read(items: list[dict[str, Any]]) -> tuple[Callable[[Any], Any], dict[str, Any]]:
    """A BatchGetItem of `items` (their keys), and its reply."""
    keys = [{"pk": item["pk"]} for item in items]
    request = {"cardwatch-state": {"Keys": keys, "ConsistentRead": True}}
    reply = {"Responses": {"cardwatch-state": items}, "UnprocessedKeys": {}}
    return (lambda db: db.batch_get_item(RequestItems=request)), reply


def _pair_clients(reply: dict[str, Any], service: str = "dynamodb") -> list[Any]:
    """A client on the wire and a plain one, both answered with `reply`."""
    return [_answered(True, reply, service), _answered(False, reply, service)]


def _pair(
    call: Callable[[Any], Any], reply: dict[str, Any], runs: int, service: str
) -> list[Callable[[], None]]:
    """`call` `runs` times on the wire, and on a plain client."""
    return [_repeated(call, db, runs) for db in _pair_clients(reply, service)]


def _repeated(call: Callable[[Any], Any], db: Any, runs: int) -> Callable[[], None]:
    """`call` on `db`, `runs` times."""

    def run() -> None:
        for _ in range(runs):
            call(db)

    return run


def measure(runs: int = 20, repeats: int = 5) -> list[Measurement]:
    """Four calls of a batch, each `runs` times, best of `repeats`, round-robin."""
    read_terminals, terminals_reply = _read([terminal_item() for _ in range(100)])
    card_text = _card(lambda packed: base64.b64encode(packed).decode())
    read_cards, cards_reply = _read([card_text] * 100)
    puts = _verdict_puts(99)
    card = _card(bytes)
    records, put_reply = _transaction_records(500)

    def write_verdicts(db: Any) -> None:
        db.transact_write_items(TransactItems=puts)

    def write_card(db: Any) -> None:
        db.put_item(TableName="cardwatch-state", Item=card, ConditionExpression="version = :v",
                    ExpressionAttributeValues={":v": {"N": "7"}})  # fmt: skip

    def put_records(db: Any) -> None:
        db.put_records(StreamName="cardwatch-transactions", Records=records)

    rows = [
        ("scorer's DynamoDB client, BatchGetItem of 100 terminals (37 days)", "terminals/s", 100,
         read_terminals, terminals_reply, "dynamodb"),
        ("scorer's DynamoDB client, BatchGetItem of 100 busy cards (500 ids)", "cards/s", 100,
         read_cards, cards_reply, "dynamodb"),
        ("scorer's DynamoDB client, TransactWriteItems of 99 verdicts", "verdicts/s", 99,
         write_verdicts, {}, "dynamodb"),
        ("scorer's DynamoDB client, PutItem of a busy card", "cards/s", 1, write_card, {},
         "dynamodb"),
        ("ingest's Kinesis client, PutRecords of 500 transactions", "records/s", 500,
         put_records, put_reply, "kinesis"),
    ]  # fmt: skip
    wire_cards, plain_cards = (read_cards(db)["Responses"] for db in _pair_clients(cards_reply))
    assert wire_cards == {"cardwatch-state": [card_text] * 100}, "the wire reads the reply as sent"
    assert len(plain_cards["cardwatch-state"]) == 100
    out = []
    for name, unit, per_call, call, reply, service in rows:
        wire, plain = best_rates(runs * per_call, repeats, _pair(call, reply, runs, service))
        out.append(Measurement(name, wire, unit, REFERENCE, plain))
    return [*out, _user_agent_cost(write_card, runs, repeats)]


def _user_agent_cost(call: Callable[[Any], Any], runs: int, repeats: int) -> Measurement:
    """`call` (a PutItem) on the scorer's client, beside the same client with botocore's own
    User-Agent, which it rebuilds from its components twice a call."""
    clients = [_answered(True, {}), _answered(True, {}, short_agent=False)]
    short, full = best_rates(runs, repeats, [_repeated(call, db, runs) for db in clients])
    return Measurement(
        "scorer's DynamoDB client, PutItem of a busy card", short, "calls/s",
        "the same, botocore's own User-Agent", full,
    )  # fmt: skip


if __name__ == "__main__":
    print(table(measure()))
