"""What moto's CloudFormation (or moto itself) lacks, in one place: each gap with why, and what the
local stack does instead. `cardwatch local status` and docs/local.md list the same table."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

from cardwatch_shared.hmac_key import generate_hmac_key_hex

SHADOW_TARGET_ID = "local-runtime-shadow"


@dataclass(frozen=True)
class Gap:
    """One thing the emulator does not do, and the local stack's stand-in."""

    subject: str
    why: str
    instead: str


RESOURCE_GAPS: dict[str, Gap] = {
    gap.subject: gap
    for gap in (
        Gap(
            "AWS::SecretsManager::Secret",
            "moto's CloudFormation cannot create secrets",
            "created through the Secrets Manager API with a fresh 256-bit key before the stack; "
            "the template's references to it become its ARN",
        ),
        Gap(
            "AWS::Lambda::EventInvokeConfig",
            "not in moto's CloudFormation",
            "read from the template by the local runtime: retries and on-failure destination",
        ),
        Gap(
            "AWS::Lambda::EventSourceMapping",
            "moto delivers stream records to a mapped function itself, which needs Docker, and "
            "drops the DynamoDB stream records it handed over",
            "kinesis_consumer's ESM driver runs each mapping with the template's settings",
        ),
        Gap(
            "AWS::SNS::Subscription",
            "not in moto's CloudFormation, and moto sends no email",
            "the alerts topic feeds a mailbox queue; each message becomes an .eml file",
        ),
        Gap(
            "AWS::CloudWatch::Alarm",
            "not in moto's CloudFormation, and moto emits no service metrics to alarm on",
            "not created; `cardwatch local status` shows DLQ depths and consumer lag",
        ),
        Gap(
            "AWS::Logs::QueryDefinition",
            "moto implements no query definitions",
            "`cardwatch logs query` reads the same queries from infra/sam/queries/",
        ),
        Gap(
            "AWS::S3::BucketPolicy",
            "not in moto's CloudFormation; moto enforces no bucket policies",
            "not created (TLS-only has no meaning on loopback HTTP)",
        ),
        Gap(
            "AWS::SQS::QueuePolicy",
            "not in moto's CloudFormation; moto enforces no queue policies",
            "not created",
        ),
    )
}
BEHAVIOUR_GAPS = (
    Gap(
        "S3 EventBridge notifications",
        "moto's CloudFormation ignores the bucket's EventBridgeConfiguration",
        "set with PutBucketNotificationConfiguration after the core stack",
    ),
    Gap(
        "EventBridge → Lambda targets",
        "moto's EventBridge does not invoke Lambda targets",
        "each rule gets a shadow SQS target (first: moto stops at a Lambda target); the local "
        "runtime invokes the function per message with the rule's event, retries and on-failure "
        "destination",
    ),
    Gap(
        "EventBridge schedules",
        "moto does not fire scheduled rules",
        "the local runtime invokes the function at the rule's rate",
    ),
    Gap(
        "DynamoDB transactions",
        "moto's TransactWriteItems deep-copies every table it names and keeps every copy (it "
        "records each model instance it makes): memory grows by three tables per label",
        "the emulator stops that recording, shares a table's stream with its backup and backs up "
        "only the items a transaction names (cardwatch_local.moto_fixes.lean_transactions, "
        "item_level_transactions)",
    ),
    Gap(
        "DynamoDB item counts",
        "moto's DescribeTable counts a table by iterating it and fails with a server error when "
        "another request writes the table meanwhile",
        "the emulator counts a snapshot of the table's items "
        "(cardwatch_local.moto_fixes.stable_item_counts)",
    ),
    Gap(
        "DynamoDB Scan pages",
        "moto sorts the whole table and walks it to the start key for every page of a Scan: "
        "quadratic, and half the emulator's time when a chaos run read 116,000 verdicts",
        "the emulator keeps the table's order until its next write and finds a page's start by "
        "bisection (cardwatch_local.moto_fixes.paged_scans)",
    ),
    Gap(
        "Kinesis shard length",
        "moto lists a shard's every record to find its last sequence number on each put, and "
        "walks the shard from its start on each GetRecords: a run slows quadratically",
        "the emulator finds the last record and a read's start by key "
        "(cardwatch_local.moto_fixes.constant_time_shards)",
    ),
    Gap(
        "S3 event field names",
        "moto's S3 events say `eTag` and version `null` where AWS says `etag` and omits it",
        "the ingest event parser accepts both",
    ),
)


def all_gaps() -> list[Gap]:
    """Every gap, resources first."""
    return [*RESOURCE_GAPS.values(), *BEHAVIOUR_GAPS]


_SUB = re.compile(r"\$\{([^}!]+)\}")


def resolve_sub(text: str, values: dict[str, str]) -> str:
    """`Fn::Sub` over parameters and pseudo parameters only (enough for names)."""
    return _SUB.sub(lambda m: values[m.group(1)], text)


def resolve_name(value: Any, values: dict[str, str]) -> str:
    """A literal, `{"Fn::Sub": text}` or `{"Ref": parameter}` as a string."""
    if not isinstance(value, dict):
        return str(value)
    if "Fn::Sub" in value:
        return resolve_sub(value["Fn::Sub"], values)
    return values[value["Ref"]]


def resolve_value(value: Any, values: dict[str, str], exports: dict[str, str]) -> Any:
    """A property value with parameters, pseudo parameters and imports resolved (deeply)."""
    if isinstance(value, list):
        return [resolve_value(v, values, exports) for v in value]
    if not isinstance(value, dict):
        return value
    if "Fn::ImportValue" in value:
        return exports[resolve_name(value["Fn::ImportValue"], values)]
    if set(value) == {"Ref"} and value["Ref"] in values:
        return values[value["Ref"]]
    if set(value) == {"Fn::Sub"}:
        return resolve_sub(value["Fn::Sub"], values)
    return {k: resolve_value(v, values, exports) for k, v in value.items()}


def _replace_refs(node: Any, replacements: dict[str, str]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in replacements:
            return replacements[node["Ref"]]
        return {k: _replace_refs(v, replacements) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace_refs(v, replacements) for v in node]
    return node


def _drop_depends_on(resource: dict[str, Any], removed: set[str]) -> None:
    depends = resource.get("DependsOn")
    if isinstance(depends, str) and depends in removed:
        del resource["DependsOn"]
    elif isinstance(depends, list):
        resource["DependsOn"] = [d for d in depends if d not in removed]


@dataclass
class Prepared:
    """A translated template made deployable on moto, and what was taken out of it."""

    template: dict[str, Any]
    removed: dict[str, dict[str, Any]]
    secrets: dict[str, str]


def prepare(template: dict[str, Any], values: dict[str, str], secretsmanager: Any) -> Prepared:
    """Take out the resources moto lacks; create secrets first and point references at them."""
    out = copy.deepcopy(template)
    removed = {
        name: resource
        for name, resource in out["Resources"].items()
        if resource["Type"] in RESOURCE_GAPS
    }
    for name in removed:
        del out["Resources"][name]
    for resource in out["Resources"].values():
        _drop_depends_on(resource, set(removed))
    secrets = {
        name: _create_secret(resource, values, secretsmanager)
        for name, resource in removed.items()
        if resource["Type"] == "AWS::SecretsManager::Secret"
    }
    out = _replace_refs(out, secrets)
    return Prepared(out, removed, secrets)


def _create_secret(resource: dict[str, Any], values: dict[str, str], secretsmanager: Any) -> str:
    name = resolve_name(resource["Properties"]["Name"], values)
    try:
        arn: str = secretsmanager.describe_secret(SecretId=name)["ARN"]
    except secretsmanager.exceptions.ResourceNotFoundException:
        arn = secretsmanager.create_secret(
            Name=name,
            Description=resource["Properties"].get("Description", ""),
            SecretString=generate_hmac_key_hex(),
        )["ARN"]
    return arn


def enable_eventbridge(s3: Any, bucket: str) -> None:
    """What the bucket's NotificationConfiguration asks for."""
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
    )


def queue_arn(sqs: Any, url: str) -> str:
    """The ARN of the queue at `url`."""
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def shadow_target(events: Any, sqs: Any, rule: str) -> str:
    """An SQS target ahead of the rule's Lambda target; returns the queue URL.

    First, because moto stops at a Lambda target (it raises on it) and would never reach one
    after it."""
    url: str = sqs.create_queue(QueueName=f"{rule}-shadow")["QueueUrl"]
    existing = events.list_targets_by_rule(Rule=rule)["Targets"]
    if existing:
        events.remove_targets(Rule=rule, Ids=[t["Id"] for t in existing])
    shadow = {"Id": SHADOW_TARGET_ID, "Arn": queue_arn(sqs, url)}
    events.put_targets(Rule=rule, Targets=[shadow, *existing])
    return url


def mailbox_queue(sns: Any, sqs: Any, topic_arn: str, name: str) -> str:
    """The queue that stands in for the topic's email subscription; returns its URL."""
    url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn(sqs, url))
    return url


def email_endpoints(removed: dict[str, dict[str, Any]], values: dict[str, str]) -> list[str]:
    """The addresses the template's email subscriptions would mail."""
    return [
        resolve_name(r["Properties"]["Endpoint"], values)
        for r in removed.values()
        if r["Type"] == "AWS::SNS::Subscription"
        and r["Properties"].get("Protocol") == "email"
        and "Condition" not in r
    ]


def invoke_configs(removed: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """EventInvokeConfig properties by the logical id of their function."""
    return {
        r["Properties"]["FunctionName"]["Ref"]: json.loads(json.dumps(r["Properties"]))
        for r in removed.values()
        if r["Type"] == "AWS::Lambda::EventInvokeConfig"
    }
