"""The scorer's stream consumer in a process of its own, so that the chaos run can SIGKILL it in
the middle of a batch. Its shard leases and checkpoints live in a DynamoDB lease table, so the
worker started after a kill resumes from the last checkpoint once the dead one's lease expires.
It stops cleanly (checkpoints, releases) when its stdin closes.

Run by `chaos_run`: `python -m cardwatch_local.chaos_worker`, with the stack's environment.
"""

from __future__ import annotations

import asyncio
import faulthandler
import os
import sys
import threading

from cardwatch_local import stack as local_stack
from cardwatch_local.chaos_faults import ClientFaults, crashing_scorer
from cardwatch_local.chaos_plan import ChaosPlan, FaultLog
from cardwatch_local.runtime import load_handler, queue_url, stream_clients
from cardwatch_shared import aws_clients
from kinesis_consumer.consumer import ConsumerSettings
from kinesis_consumer.esm import sqs_failure_sink
from kinesis_consumer.leases import DynamoDBLeaseTable
from kinesis_consumer.mapping import EventSourceMapping
from kinesis_consumer.streams import KinesisSource

LEASE_TABLE = "cardwatch-chaos-leases"
FAILOVER_S = 3.0


def _stop_when_stdin_closes(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()

    def wait() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=wait, daemon=True).start()


async def consume(plan: ChaosPlan, log: FaultLog) -> None:
    """Feed the (crash-prone) scorer from the transactions stream until stdin closes."""
    stop = asyncio.Event()
    _stop_when_stdin_closes(stop)
    clients = {name: aws_clients.client(name) for name in local_stack.CLIENTS}
    stack = local_stack.read(clients)
    trigger = next(t for t in stack.stream_triggers if t.kind == "kinesis")
    async with (
        stream_clients() as async_clients,
        aws_clients.async_client("dynamodb") as dynamodb,
    ):
        leases = DynamoDBLeaseTable(dynamodb, LEASE_TABLE, trigger.function)
        await leases.create_table()
        sink = None
        if trigger.on_failure_arn:
            url = queue_url(clients["sqs"], trigger.on_failure_arn)
            sink = sqs_failure_sink(async_clients["sqs"], url)
        mapping = EventSourceMapping(
            KinesisSource(async_clients["kinesis"], trigger.source_arn.rsplit("/", 1)[1]),
            crashing_scorer(load_handler(trigger.handler), plan, log),
            trigger.settings,
            sink,
            leases=leases,
            consumer=ConsumerSettings(failover_s=FAILOVER_S, idle_sleep_s=0.2),
        )
        await mapping.run(stop)


def main() -> None:
    """Entry point of the worker process."""
    plan = ChaosPlan()
    log = FaultLog(plan.log_path)
    raw = aws_clients.client("dynamodb")  # made before the hooks: the racing writer's client
    ClientFaults(plan, log, "scorer", raw_dynamodb=raw).install()
    faulthandler.enable()
    try:
        asyncio.run(consume(plan, log))
    finally:
        sys.stderr.write(f"chaos worker {os.getpid()} stopped\n")


if __name__ == "__main__":
    main()
