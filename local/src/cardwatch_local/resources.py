"""The stack's resources, created through the AWS APIs of the embedded emulator.

Interim: the SAM templates (infra issue) will replace this list; names and settings match what
the services read from their `CARDWATCH_` settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cardwatch_shared.hmac_key import generate_hmac_key_hex

PREFIX = "cardwatch-local"


@dataclass(frozen=True)
class Stack:
    """Names and addresses of the deployed resources."""

    bucket: str
    stream: str
    verdicts_table: str
    verdicts_stream_arn: str
    state_table: str
    idempotency_table: str
    alerts_table: str
    topic_arn: str
    mailbox_url: str
    dlq_urls: dict[str, str]
    hmac_parameter: str

    def environment(self) -> dict[str, str]:
        """The settings every function reads."""
        return {
            "CARDWATCH_STREAM_NAME": self.stream,
            "CARDWATCH_IDEMPOTENCY_TABLE": self.idempotency_table,
            "CARDWATCH_VERDICTS_TABLE": self.verdicts_table,
            "CARDWATCH_STATE_TABLE": self.state_table,
            "CARDWATCH_ALERTS_TABLE": self.alerts_table,
            "CARDWATCH_ALERTS_TOPIC_ARN": self.topic_arn,
            "CARDWATCH_NOTIFIER_DLQ_URL": self.dlq_urls["notifier"],
            "CARDWATCH_MODELS_BUCKET": self.bucket,
            "CARDWATCH_HMAC_KEY_PARAMETER": self.hmac_parameter,
        }


def _table(
    dynamodb: Any, name: str, keys: list[tuple[str, str]], stream: bool = False
) -> str | None:
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": [{"AttributeName": k, "KeyType": t} for k, t in keys],
        "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"} for k, _ in keys],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if stream:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    reply = dynamodb.create_table(**kwargs)
    arn: str | None = reply["TableDescription"].get("LatestStreamArn")
    return arn


def deploy(clients: dict[str, Any]) -> Stack:
    """Create every resource (on a fresh emulator) and return their names."""
    s3, kinesis, dynamodb = clients["s3"], clients["kinesis"], clients["dynamodb"]
    sns, sqs, ssm = clients["sns"], clients["sqs"], clients["ssm"]
    bucket, stream = f"{PREFIX}-transactions", f"{PREFIX}-transactions"
    s3.create_bucket(Bucket=bucket)
    kinesis.create_stream(StreamName=stream, ShardCount=2)
    verdicts_arn = _table(dynamodb, f"{PREFIX}-verdicts", [("transaction_id", "HASH")], stream=True)
    assert verdicts_arn is not None
    _table(dynamodb, f"{PREFIX}-state", [("pk", "HASH")])
    _table(dynamodb, f"{PREFIX}-idempotency", [("id", "HASH")])
    _table(dynamodb, f"{PREFIX}-alerts", [("pk", "HASH"), ("sk", "RANGE")])
    topic = sns.create_topic(Name=f"{PREFIX}-alerts")["TopicArn"]
    mailbox = sqs.create_queue(QueueName=f"{PREFIX}-mailbox")["QueueUrl"]
    mailbox_arn = sqs.get_queue_attributes(QueueUrl=mailbox, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=mailbox_arn)
    dlqs = {
        name: sqs.create_queue(QueueName=f"{PREFIX}-{name}-dlq")["QueueUrl"]
        for name in ("ingest", "scorer", "notifier")
    }
    parameter = f"/{PREFIX}/hmac-key"
    ssm.put_parameter(Name=parameter, Value=generate_hmac_key_hex(), Type="SecureString")
    return Stack(
        bucket,
        stream,
        f"{PREFIX}-verdicts",
        verdicts_arn,
        f"{PREFIX}-state",
        f"{PREFIX}-idempotency",
        f"{PREFIX}-alerts",
        topic,
        mailbox,
        dlqs,
        parameter,
    )
