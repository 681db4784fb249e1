"""Fault injection for the chaos run. Nothing here is imported by the services: faults enter
through botocore's event hooks on the clients a process creates once `install` ran, and through
wrappers around the handlers the local runtime invokes.

- Kinesis PutRecords (ingest): a share of each call's entries answered
  `ProvisionedThroughputExceededException` and not written, as a throttled shard does; and, when
  armed, the call that crosses half of a file raises: ingest dies halfway through it.
- DynamoDB (scorer): one write in every `fault_spacing` is throttled (raised before it is sent,
  as botocore does once its retries are spent), the first halfway through the first
  `fault_spacing` writes of a process (a worker restarted after a kill may write little), and a
  throttle that falls on a write another fault takes goes to the next write; some conditional
  puts of a card's state lose a real race: another writer bumps the card's version just before
  the put; some verdict transactions are cancelled for a conflict, as DynamoDB does while another
  transaction holds the terminal.
- SNS Publish (notifier): the first attempt of some alerts fails.
- The scorer handler: some invocations process k records, then crash.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from cardwatch_local.chaos_plan import ChaosPlan, FaultLog

Handler = Callable[[dict[str, Any], Any], Any]
THROTTLED = "ProvisionedThroughputExceededException"
RACE_EVERY = 4  # a card's conditional put loses a race on the 1st, 5th, 9th… of them
CONFLICT_EVERY = 5  # the 1st, 6th, 11th… verdict transaction is cancelled for a conflict


class IngestDiedError(RuntimeError):
    """The injected death of an ingest invocation halfway through a file."""


class ScorerCrashError(RuntimeError):
    """The injected crash of a scorer invocation after k records."""


def verdict_writes_path(plan: ChaosPlan) -> Path:
    """Where the scorer workers log each verdict they stored."""
    return plan.log_path.with_name(plan.log_path.stem + "-verdict-writes.jsonl")


def _client_error(code: str, operation: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def _cancelled(actions: int) -> ClientError:
    """A transaction cancelled because another one held its items."""
    error = {"Code": "TransactionCanceledException", "Message": "conflict (chaos)"}
    reasons = [{"Code": "TransactionConflict"} for _ in range(actions)]
    return ClientError({"Error": error, "CancellationReasons": reasons}, "TransactWriteItems")


def _verdict_ids(actions: list[dict[str, Any]]) -> list[str]:
    """The transaction ids of the verdicts a transaction puts."""
    items = (action.get("Put", {}).get("Item", {}) for action in actions)
    return [item["transaction_id"]["S"] for item in items if "transaction_id" in item]


class ClientFaults:
    """Hooks on every boto3 client created after `install()` in this process."""

    def __init__(self, plan: ChaosPlan, log: FaultLog, role: str, raw_dynamodb: Any = None) -> None:
        self.plan, self.log, self.role = plan, log, role
        self._raw_dynamodb = raw_dynamodb  # made before install: its calls carry no faults
        self._random = random.Random(plan.seed)  # noqa: S311 - fault timing, not secrets
        self._lock = threading.Lock()
        self._writes = self._card_puts = self._transactions = 0
        self._throttle_owed = False  # a due throttle whose write another fault took
        self._first_publish: set[str] = set()
        self.ingest_die_after: int | None = None
        self._put_while_armed = 0
        self.verdict_writes = FaultLog(verdict_writes_path(plan))

    def install(self) -> Callable[[], None]:
        """From now on every `boto3.session.Session().client(...)` carries the hooks, until the
        returned function is called."""
        original = boto3.session.Session.client
        faults = self

        def client(session: Any, *args: Any, **kwargs: Any) -> Any:
            made = original(session, *args, **kwargs)
            if hasattr(made, "meta"):  # aioboto3 (the stream pollers) makes context managers
                faults.register(made)
            return made

        boto3.session.Session.client = client

        def uninstall() -> None:
            boto3.session.Session.client = original

        return uninstall

    def register(self, client: Any) -> None:
        """Attach this role's hooks to one client."""
        service = client.meta.service_model.service_name
        events = client.meta.events
        if self.role == "run" and service == "kinesis":
            events.register("before-parameter-build.kinesis.PutRecords", self._put_records)
            events.register("after-call.kinesis.PutRecords", self._put_records_answer)
        if self.role == "run" and service == "sns":
            events.register("before-parameter-build.sns.Publish", self._publish)
        if self.role == "scorer" and service == "dynamodb":
            events.register("before-parameter-build.dynamodb.PutItem", self._dynamodb_write)
            events.register("before-parameter-build.dynamodb.UpdateItem", self._dynamodb_write)
            events.register(
                "before-parameter-build.dynamodb.TransactWriteItems", self._dynamodb_write
            )
            events.register("after-call.dynamodb.TransactWriteItems", self._verdicts_written)

    # --- Kinesis ---------------------------------------------------------------------------

    def _put_records(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        records = params["Records"]
        if self.ingest_die_after is not None:
            self._put_while_armed += len(records)
            if self._put_while_armed > self.ingest_die_after:
                self.ingest_die_after = None
                self.log.record("ingest_death", records_put_before=self._put_while_armed)
                raise IngestDiedError("chaos: ingest died halfway through the file")
        share = self.plan.put_records_failure_share
        dropped = [i for i in range(len(records)) if self._random.random() < share]
        if not dropped or len(dropped) == len(records):
            return
        context["chaos_dropped"] = (dropped, len(records))
        gone = set(dropped)
        params["Records"] = [r for i, r in enumerate(records) if i not in gone]

    def _put_records_answer(
        self, parsed: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        if "chaos_dropped" not in context or "Records" not in parsed:
            return
        dropped, total = context.pop("chaos_dropped")
        written = iter(parsed["Records"])
        gone = set(dropped)
        throttled = {"ErrorCode": THROTTLED, "ErrorMessage": "Rate exceeded for shard (chaos)"}
        parsed["Records"] = [throttled if i in gone else next(written) for i in range(total)]
        parsed["FailedRecordCount"] = parsed.get("FailedRecordCount", 0) + len(dropped)
        self.log.record("put_records_throttled", n=len(dropped))

    # --- DynamoDB --------------------------------------------------------------------------

    def _dynamodb_write(
        self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        transaction = model.name == "TransactWriteItems"
        if transaction:
            context["chaos_verdicts"] = _verdict_ids(params["TransactItems"])
        key = params.get("Item") or params.get("Key") or {}
        pk = str(key.get("pk", {}).get("S", ""))
        card_put = model.name == "PutItem" and pk.startswith("card#")
        with self._lock:
            self._writes += 1
            self._card_puts += card_put
            self._transactions += transaction
            race_due = card_put and self._card_puts % RACE_EVERY == 1
            conflict_due = transaction and self._transactions % CONFLICT_EVERY == 1
            spacing = self.plan.fault_spacing
            throttle_due = self._throttle_owed or self._writes % spacing == spacing // 2
        if race_due or conflict_due or throttle_due:
            self._dynamodb_fault(params, model.name, race_due, conflict_due, throttle_due)

    def _dynamodb_fault(
        self, params: dict[str, Any], operation: str, race: bool, conflict: bool, throttle: bool
    ) -> None:
        done = self.log.counts()  # the budgets hold across worker processes
        race = race and done["card_race"] < self.plan.card_races
        conflict = conflict and done["transaction_conflict"] < self.plan.transaction_conflicts
        throttle = throttle and done["dynamodb_throttle"] < self.plan.dynamodb_throttles
        with self._lock:
            self._throttle_owed = throttle and (race or conflict)
        throttle = throttle and not (race or conflict)
        table = params.get("TableName", "transaction")
        if race:
            self._bump_version(params["TableName"], str(params["Item"]["pk"]["S"]))
            self.log.record("card_race", table=table)
        elif conflict:
            self.log.record("transaction_conflict", actions=len(params["TransactItems"]))
            raise _cancelled(len(params["TransactItems"]))
        elif throttle:
            self.log.record("dynamodb_throttle", table=table, op=operation)
            raise _client_error(THROTTLED, operation, "Rate of requests exceeds (chaos)")

    def _bump_version(self, table: str, pk: str) -> None:
        """Another writer wins the race: the card's version moves (a card not stored yet is
        created empty), its transactions do not change."""
        try:
            self._raw_dynamodb.update_item(
                TableName=table,
                Key={"pk": {"S": pk}},
                UpdateExpression="SET version = version + :one",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
        except ClientError:
            self._raw_dynamodb.put_item(
                TableName=table,
                Item={
                    "pk": {"S": pk},
                    "state": {"S": '{"days": {}, "last": null}'},
                    "version": {"N": "1"},
                },
            )

    def _verdicts_written(
        self, parsed: dict[str, Any], context: dict[str, Any], http_response: Any, **_: Any
    ) -> None:
        """Every verdict actually stored, so that a second write of one would show."""
        if http_response.status_code != 200 or "Error" in parsed:
            return
        for tx in context.get("chaos_verdicts", ()):
            self.verdict_writes.record("verdict_put", tx=tx)

    # --- SNS -------------------------------------------------------------------------------

    def _publish(self, params: dict[str, Any], **_: Any) -> None:
        message = str(params.get("Message", ""))
        with self._lock:
            first = message not in self._first_publish
            fail = first and len(self._first_publish) < self.plan.notifier_publish_failures
            if fail:
                self._first_publish.add(message)
        if fail:
            self.log.record("notifier_publish_failure")
            raise _client_error("InternalError", "Publish", "SNS is unavailable (chaos)")


def crashing_scorer(handler: Handler, plan: ChaosPlan, log: FaultLog) -> Handler:
    """The scorer, except that some invocations process k records and then crash."""
    calls = 0

    def invoke(event: dict[str, Any], context: Any) -> Any:
        nonlocal calls
        calls += 1
        k = plan.crash_after_records
        records = event.get("Records", [])
        if (
            calls % 3 == 2
            and len(records) > k
            and log.counts()["scorer_crash"] < plan.scorer_crashes
        ):
            handler({**event, "Records": records[:k]}, context)
            log.record("scorer_crash", after_records=k, batch=len(records))
            raise ScorerCrashError(f"chaos: the scorer crashed after {k} of {len(records)} records")
        return handler(event, context)

    return invoke


def dying_ingest(handler: Handler, faults: ClientFaults, rows_by_key: dict[str, int]) -> Handler:
    """Ingest, except that its first invocation on each file in `rows_by_key` dies halfway."""
    armed = dict(rows_by_key)

    def invoke(event: dict[str, Any], context: Any) -> Any:
        key = str(event.get("detail", {}).get("object", {}).get("key", ""))
        rows = armed.pop(key, None)
        if rows is not None:
            faults.ingest_die_after = rows // 2
        try:
            return handler(event, context)
        finally:
            faults.ingest_die_after = None

    return invoke
