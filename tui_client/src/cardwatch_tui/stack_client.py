"""The app's edge to AWS (or the local stack): upload, verdicts, ingest reports, dead-letter
queues, the current model, and alert emails. Names come from the core stack's outputs."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from functools import partial
from pathlib import Path
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from cardwatch_shared import card_number as card_number_rules
from cardwatch_shared.card_history import CardHistory, card_history
from cardwatch_shared.contracts import Verdict
from cardwatch_shared.contracts.label import Label
from cardwatch_shared.contracts.rule_set import ListEntry, RuleSet
from cardwatch_shared.drift_reading import DriftReading, live_manifest, read_drift
from cardwatch_shared.features.online import CardState
from cardwatch_shared.label_store import LabelOutcome, LabelStore
from cardwatch_shared.review_queue import ReviewQueue
from cardwatch_shared.rule_registry import RuleRegistry, RulesPointer
from cardwatch_shared.state_keys import card_key, card_risk_key
from cardwatch_tui.settings import TuiSettings
from cardwatch_tui.stack_unreachable import StackUnreachableError

DLQ_OUTPUTS = ("EventDeliveryDLQArn", "IngestFailureDLQArn", "ScorerDLQArn", "NotifierDLQArn")


@dataclass(frozen=True)
class StackNames:
    """What the app needs from the core stack."""

    bucket: str
    verdicts_table: str
    dlq_arns: dict[str, str]
    hmac_secret_arn: str | None = None
    state_table: str | None = None
    labels_table: str | None = None


@dataclass(frozen=True)
class Alert:
    """One alert email."""

    received: str
    subject: str
    body: str


def _unreachable(settings: TuiSettings, endpoint: str | None, why: object) -> StackUnreachableError:
    if settings.environment == "local":
        hint = "start it with `cardwatch local up` (or `make demo`)"
    else:
        hint = f"deploy it with `make deploy-all ENV={settings.environment}`"
    where = endpoint or f"AWS ({settings.aws_region})"
    return StackUnreachableError(
        f"the {settings.environment} stack at {where} is not reachable: {why}; {hint}"
    )


def _local_credentials(settings: TuiSettings) -> dict[str, str]:
    """The emulator takes any key; without one in the environment boto3 would refuse to sign."""
    if settings.environment != "local" or settings.aws_profile or "AWS_ACCESS_KEY_ID" in os.environ:
        return {}
    return {"aws_access_key_id": "cardwatch", "aws_secret_access_key": "cardwatch"}


class StackClient:
    """boto3 clients for one stack; every call raises `StackUnreachableError` with a hint."""

    def __init__(self, settings: TuiSettings, names: StackNames | None = None) -> None:
        self.settings = settings
        self.endpoint = settings.endpoint()
        session = boto3.session.Session(
            profile_name=settings.aws_profile,
            region_name=settings.aws_region,
            **_local_credentials(settings),
        )
        config = Config(connect_timeout=2, read_timeout=10, retries={"max_attempts": 2})
        self._clients = {
            name: session.client(name, endpoint_url=self.endpoint, config=config)
            for name in ("s3", "dynamodb", "sqs", "cloudformation", "secretsmanager")
        }
        self._names = names

    def aws(self, name: str) -> Any:
        """The boto3 client `name` of this stack (s3, dynamodb, sqs, cloudformation, …)."""
        return self._clients[name]

    def _call(self, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except (BotoCoreError, ClientError) as error:
            raise _unreachable(self.settings, self.endpoint, error) from error

    @property
    def names(self) -> StackNames:
        """The core stack's outputs (read once)."""
        if self._names is None:
            stack = f"cardwatch-core-{self.settings.environment}"
            reply = self._call(
                lambda: self._clients["cloudformation"].describe_stacks(StackName=stack)
            )
            outputs = {o["OutputKey"]: o["OutputValue"] for o in reply["Stacks"][0]["Outputs"]}
            self._names = StackNames(
                bucket=outputs["TransactionsBucketName"],
                verdicts_table=outputs["VerdictsTableName"],
                dlq_arns={
                    k.removesuffix("DLQArn"): outputs[k] for k in DLQ_OUTPUTS if k in outputs
                },
                hmac_secret_arn=outputs.get("HmacKeySecretArn"),
                state_table=outputs.get("StateTableName"),
                labels_table=outputs.get("LabelsTableName"),
            )
        return self._names

    def upload(self, path: Path, key: str, progress: Callable[[int], None]) -> None:
        """Upload a saved batch; `progress` gets the bytes sent so far, chunk by chunk."""
        bucket = self.names.bucket
        self._call(
            lambda: self._clients["s3"].upload_file(str(path), bucket, key, Callback=progress)
        )

    def verdicts(self, transaction_ids: list[str]) -> list[dict[str, Any]]:
        """The verdicts stored so far for these transactions (BatchGetItem, 100 at a time)."""
        table, found = self.names.verdicts_table, []
        deserialize = TypeDeserializer().deserialize
        for start in range(0, len(transaction_ids), 100):
            keys = [{"transaction_id": {"S": t}} for t in transaction_ids[start : start + 100]]
            request = {table: {"Keys": keys}}
            while request:
                get = self._clients["dynamodb"].batch_get_item
                reply = self._call(partial(get, RequestItems=request))
                found += [
                    {k: deserialize(v) for k, v in item.items()}
                    for item in reply["Responses"].get(table, [])
                ]
                request = reply.get("UnprocessedKeys") or {}
        return found

    def all_verdicts(self) -> list[dict[str, Any]]:
        """Every stored verdict item (a paginated scan: for backtests, not for the hot path)."""
        deserialize = TypeDeserializer().deserialize
        paginator = self._clients["dynamodb"].get_paginator("scan")
        pages = paginator.paginate(TableName=self.names.verdicts_table)
        return [
            {k: deserialize(v) for k, v in item.items()}
            for page in self._call(lambda: list(pages))
            for item in page["Items"]
        ]

    def report(self, upload_key: str) -> dict[str, Any] | None:
        """The ingest report of an upload, once ingest wrote it."""
        return self._json_object("reports/" + upload_key.removeprefix("incoming/") + ".json")

    def _json_object(self, key: str) -> dict[str, Any] | None:
        """A JSON object of the bucket, or None while it does not exist."""
        s3 = self._clients["s3"]
        try:
            body = s3.get_object(Bucket=self.names.bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
        except (BotoCoreError, ClientError) as error:
            raise _unreachable(self.settings, self.endpoint, error) from error
        found: dict[str, Any] = json.loads(body)
        return found

    def dlq_depths(self) -> dict[str, int]:
        """Messages waiting in each dead-letter queue."""
        depths = {}
        for name, arn in self.names.dlq_arns.items():
            url = self._queue_url(arn)
            attributes = self._clients["sqs"].get_queue_attributes
            names = ["ApproximateNumberOfMessages"]
            attrs = self._call(partial(attributes, QueueUrl=url, AttributeNames=names))
            depths[name] = int(attrs["Attributes"]["ApproximateNumberOfMessages"])
        return depths

    def dlq_peek(self, name: str, limit: int = 5) -> list[str]:
        """Bodies of up to `limit` waiting messages, left in the queue (visibility 0)."""
        url = self._queue_url(self.names.dlq_arns[name])
        reply = self._call(
            lambda: self._clients["sqs"].receive_message(
                QueueUrl=url, MaxNumberOfMessages=limit, VisibilityTimeout=0
            )
        )
        return [str(m["Body"]) for m in reply.get("Messages", [])]

    def _queue_url(self, arn: str) -> str:
        name = arn.rsplit(":", 1)[1]
        reply = self._call(lambda: self._clients["sqs"].get_queue_url(QueueName=name))
        return str(reply["QueueUrl"])

    def current_model(self) -> dict[str, Any] | None:
        """The promoted model's pointer (`models/current.json`), or None."""
        return self._json_object("models/current.json")

    def score_drift(self) -> DriftReading | None:
        """Today's score drift of the live model (None: no model, or no reference scores)."""
        table = self.names.state_table
        manifest = self._call(partial(live_manifest, self._clients["s3"], self.names.bucket))
        if manifest is None or table is None:
            return None
        dynamodb = self._clients["dynamodb"]
        found: DriftReading | None = self._call(
            partial(read_drift, dynamodb, table, manifest, time.time())
        )
        return found

    def rule_registry(self) -> RuleRegistry:
        """The stack's rule sets (`rules/` in the transactions bucket)."""
        return RuleRegistry(self._clients["s3"], self.names.bucket)

    def live_rules(self) -> tuple[RulesPointer, RuleSet] | None:
        """The live rule set and its pointer, or None when none was published."""
        found: tuple[RulesPointer, RuleSet] | None = self._call(self.rule_registry().current)
        return found

    def add_list_entry(self, entry: ListEntry) -> RulesPointer:
        """Publish the live rule set with `entry` on its list."""
        pointer: RulesPointer = self._call(partial(self.rule_registry().add_entry, entry))
        return pointer

    def record_label(self, label: Label) -> LabelOutcome:
        """Store a label (an analyst's decision, a chargeback) and move its terminal's risk."""
        names = self.names
        if names.labels_table is None or names.state_table is None:
            raise StackUnreachableError(
                "this stack has no labels table: deploy the core stack again"
            )
        store = LabelStore(
            self._clients["dynamodb"], names.labels_table, names.state_table, names.verdicts_table
        )
        outcome: LabelOutcome = self._call(lambda: store.record(label))
        return outcome

    def review_queue(self, limit: int = 50) -> list[Verdict]:
        """The verdicts waiting for an analyst, oldest first."""
        queue = ReviewQueue(self._clients["dynamodb"], self.names.verdicts_table)
        pending: list[Verdict] = self._call(partial(queue.pending, limit))
        return pending

    def card_history(self, verdict: Verdict) -> CardHistory:
        """The card's history at the time of `verdict` (state and confirmed-fraud counts)."""
        table = self.names.state_table
        if table is None:
            raise StackUnreachableError("this stack has no state table: deploy the core stack")
        keys = [{"pk": {"S": k(verdict.card_token)}} for k in (card_key, card_risk_key)]
        get = self._clients["dynamodb"].batch_get_item
        reply = self._call(partial(get, RequestItems={table: {"Keys": keys}}))
        items = {i["pk"]["S"]: i for i in reply.get("Responses", {}).get(table, [])}
        state_item = items.get(card_key(verdict.card_token))
        state = CardState.from_dict(json.loads(state_item["state"]["S"]) if state_item else None)
        risk = items.get(card_risk_key(verdict.card_token), {})
        frauds = {int(k[2:]): float(v["N"]) for k, v in risk.items() if k.startswith("f_")}
        return card_history(state, frauds, int(verdict.event_time.timestamp()))

    def card_token(self, card_number: str) -> tuple[str, str]:
        """(token, last4) of a card number, with the stack's own HMAC key; the number is kept
        nowhere. Raises `CardNumberError` for a number that fails validation."""
        arn = self.names.hmac_secret_arn
        if arn is None:
            raise _unreachable(self.settings, self.endpoint, "the stack exports no HMAC key")
        get = self._clients["secretsmanager"].get_secret_value
        secret = self._call(partial(get, SecretId=arn))["SecretString"]
        digits = card_number_rules.validate(card_number)
        return card_number_rules.tokenize(digits, bytes.fromhex(secret)), digits[-4:]


def read_alerts(mailbox: Path, limit: int = 200) -> list[Alert]:
    """Alert emails of the local mailbox, newest first."""
    if not mailbox.is_dir():
        return []
    files = sorted(mailbox.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True)
    alerts = []
    for path in files[:limit]:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        alerts.append(Alert(str(message["Date"] or ""), str(message["Subject"] or ""), str(text)))
    return alerts
