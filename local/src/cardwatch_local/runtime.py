"""The local Lambda runtime: every deployed function fed by its real trigger, in this process.

Rules with an event pattern deliver through their shadow SQS target, schedules fire at their
rate, and stream mappings run through kinesis_consumer's ESM driver with the deployed settings.
Asynchronous invocations follow the function's EventInvokeConfig: retries, then Lambda's
on-failure record to the destination queue.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cardwatch_local.stack import AsyncTrigger, LocalStack, StreamTrigger
from cardwatch_shared.aws_clients import async_client
from cardwatch_shared.scrubber import scrub_text
from cardwatch_shared.settings import CardwatchSettings
from kinesis_consumer.esm import LambdaContext, sqs_failure_sink
from kinesis_consumer.mapping import EventSourceMapping
from kinesis_consumer.streams import DynamoDBStreamSource, KinesisSource

Handler = Callable[[dict[str, Any], Any], Any]
ACCOUNT = "123456789012"


def load_handler(path: str) -> Handler:
    """`package.module.function` → the function."""
    module, _, name = path.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module), name)
    return handler


def queue_url(sqs: Any, arn: str) -> str:
    """The URL of the queue whose ARN is `arn`."""
    return str(sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[1])["QueueUrl"])


def failure_record(
    function: str, event: dict[str, Any], error: BaseException | None, attempts: int, condition: str
) -> dict[str, Any]:
    """Lambda's on-failure destination record for an asynchronous invocation."""
    response = (
        {"errorMessage": scrub_text(str(error)), "errorType": type(error).__name__}
        if error
        else None
    )
    return {
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{function}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "responsePayload": response,
    }


def _event_age_s(event: dict[str, Any]) -> float:
    sent = event.get("time")
    if not isinstance(sent, str):
        return 0.0
    moment = datetime.fromisoformat(sent.replace("Z", "+00:00"))
    return (datetime.now(UTC) - moment).total_seconds()


@dataclass
class AsyncInvoker:
    """One rule → function: invokes with retries, dead-letters what still fails."""

    trigger: AsyncTrigger
    sqs: Any
    handler: Handler | None = None
    invocations: int = 0
    failures: int = 0

    def _handler(self) -> Handler:
        if self.handler is None:
            self.handler = load_handler(self.trigger.handler)
        return self.handler

    def invoke(self, event: dict[str, Any]) -> bool:
        """Run the function on `event`: True if an attempt succeeded."""
        if _event_age_s(event) > self.trigger.max_event_age_s:
            self._dead_letter(event, None, 0, "EventAgeExceeded")
            return False
        error: BaseException | None = None
        attempts = self.trigger.max_retries + 1
        for _ in range(attempts):
            self.invocations += 1
            try:
                context = LambdaContext(self.trigger.function, timeout_s=self.trigger.timeout_s)
                self._handler()(event, context)
            except Exception as exc:
                error = exc
                continue
            return True
        self._dead_letter(event, error, attempts, "RetriesExhausted")
        return False

    def _dead_letter(
        self, event: dict[str, Any], error: BaseException | None, attempts: int, condition: str
    ) -> None:
        self.failures += 1
        if self.trigger.on_failure_arn is None:
            return
        record = failure_record(self.trigger.function, event, error, attempts, condition)
        self.sqs.send_message(
            QueueUrl=queue_url(self.sqs, self.trigger.on_failure_arn),
            MessageBody=json.dumps(record, default=str),
        )

    def drain(self) -> int:
        """Invoke for every message waiting on the rule's shadow queue; the messages handled."""
        if self.trigger.queue_url is None:
            return 0
        handled = 0
        while True:
            reply = self.sqs.receive_message(
                QueueUrl=self.trigger.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            )
            messages = reply.get("Messages", [])
            if not messages:
                return handled
            for message in messages:
                self.invoke(json.loads(message["Body"]))
                self.sqs.delete_message(
                    QueueUrl=self.trigger.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
                handled += 1

    def scheduled_event(self) -> dict[str, Any]:
        """The event a schedule rule sends."""
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "resources": [f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{self.trigger.rule}"],
            "detail": {},
        }


@dataclass
class StreamRunner:
    """The stream mappings of the stack, each as a poller with its deployed settings.

    `clients` are aioboto3 clients: `kinesis`, `dynamodbstreams` and `sqs`; `dlq_urls` maps
    each on-failure queue ARN to its URL."""

    clients: dict[str, Any]
    dlq_urls: dict[str, str]
    pollers: dict[str, EventSourceMapping] = field(default_factory=dict)
    loader: Callable[[str, str], Handler] = field(
        default=lambda _function, path: load_handler(path)
    )

    def add(self, trigger: StreamTrigger) -> EventSourceMapping:
        """A mapping for `trigger`, kept under its function's name."""
        sink = None
        if trigger.on_failure_arn:
            sink = sqs_failure_sink(self.clients["sqs"], self.dlq_urls[trigger.on_failure_arn])
        source: KinesisSource | DynamoDBStreamSource
        if trigger.kind == "kinesis":
            source = KinesisSource(self.clients["kinesis"], trigger.source_arn.rsplit("/", 1)[1])
        else:
            source = DynamoDBStreamSource(self.clients["dynamodbstreams"], trigger.source_arn)
        handler = self.loader(trigger.function, trigger.handler)
        mapping = EventSourceMapping(source, handler, trigger.settings, sink)
        self.pollers[trigger.function] = mapping
        return mapping

    async def drain(self) -> dict[str, dict[str, int]]:
        """Each mapping in stack order until its stream is idle (upstream first)."""
        for poller in self.pollers.values():
            await poller.drain()
        return {name: poller.stats for name, poller in self.pollers.items()}

    async def run(self, stop: asyncio.Event) -> None:
        """Every mapping concurrently until `stop`."""
        await asyncio.gather(*(p.run(stop) for p in self.pollers.values()))


def async_invokers(stack: LocalStack, sqs: Any) -> dict[str, AsyncInvoker]:
    """One invoker per rule of the stack, by rule name."""
    return {t.rule: AsyncInvoker(t, sqs) for t in stack.async_triggers}


def dlq_urls(stack: LocalStack, sqs: Any) -> dict[str, str]:
    """URL of every dead-letter queue, by ARN."""
    return {arn: queue_url(sqs, arn) for arn in stack.dlq_arns.values()}


@asynccontextmanager
async def stream_clients() -> AsyncIterator[dict[str, Any]]:
    """The aioboto3 clients a `StreamRunner` needs, from the shared client factory."""
    settings = CardwatchSettings()
    async with (
        async_client("kinesis", settings) as kinesis,
        async_client("dynamodbstreams", settings) as streams,
        async_client("sqs", settings) as sqs,
    ):
        yield {"kinesis": kinesis, "dynamodbstreams": streams, "sqs": sqs}


def stream_runner(
    stack: LocalStack,
    async_clients: dict[str, Any],
    sqs: Any,
    loader: Callable[[str, str], Handler] | None = None,
) -> StreamRunner:
    """A runner with a poller for each of the stack's stream mappings (handlers from `loader`)."""
    runner = StreamRunner(async_clients, dlq_urls(stack, sqs))
    if loader is not None:
        runner.loader = loader
    for trigger in stack.stream_triggers:
        runner.add(trigger)
    return runner
