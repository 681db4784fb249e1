"""Faults AWS produces and moto does not, for the services' tests. (Kinesis resharding, throttled
reads and expired iterators are the consumer package's own testing aid, `kinesis_consumer.fake`.)

`FlakyPutRecords` answers a share of a PutRecords call's records with
ProvisionedThroughputExceededException, as a throttled shard does; those records are not
written, the rest go to the real (moto) stream. `ContendedTransactions`, `UnprocessedReads` and
`ThrottledSends` do the same for DynamoDB's cancelled transactions, unprocessed keys and throttles.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError


class FlakyPutRecords:
    """Wraps a boto3 Kinesis client; fails `share` of the records of each call (seeded)."""

    def __init__(self, kinesis: Any, share: float, seed: int = 7, always: bool = False) -> None:
        self._kinesis, self._share, self._always = kinesis, share, always
        self._random = random.Random(seed)
        self.records_failed = 0

    def put_records(self, StreamName: str, Records: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 - boto3's names
        fail = [self._always or self._random.random() < self._share for _ in Records]
        passed = [r for r, f in zip(Records, fail, strict=True) if not f]
        written = iter(
            self._kinesis.put_records(StreamName=StreamName, Records=passed)["Records"]
            if passed
            else []
        )
        results: list[dict[str, Any]] = []
        for failed in fail:
            if failed:
                self.records_failed += 1
                results.append(
                    {
                        "ErrorCode": "ProvisionedThroughputExceededException",
                        "ErrorMessage": "Rate exceeded for shard shardId-000000000000",
                    }
                )
            else:
                results.append(next(written))
        return {"FailedRecordCount": sum(fail), "Records": results}


class ContendedTransactions:
    """Wraps a boto3 DynamoDB client; cancels the first `conflicts` TransactWriteItems calls with
    TransactionConflict on every action, as DynamoDB does while another transaction holds one of
    the items (moto runs transactions one at a time). Other calls go to the real client."""

    def __init__(self, dynamodb: Any, conflicts: int) -> None:
        self._dynamodb, self._left = dynamodb, conflicts
        self.cancelled = self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._dynamodb, name)

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> Any:  # noqa: N803 - boto3's names
        self.calls += 1
        if self._left > 0:
            self._left -= 1
            self.cancelled += 1
            reasons = [{"Code": "TransactionConflict"} for _ in TransactItems]
            error = {"Code": "TransactionCanceledException", "Message": "conflict (test)"}
            raise ClientError(
                {"Error": error, "CancellationReasons": reasons},
                "TransactWriteItems",
            )
        return self._dynamodb.transact_write_items(TransactItems=TransactItems)


class UnprocessedReads:
    """Wraps a boto3 DynamoDB client; its first `times` BatchGetItem calls read only the first
    `keep` keys of each table and hand the rest back as UnprocessedKeys, as a throttled table
    does (moto answers every key). With `meet` > 1, the first `meet` calls wait for each other
    before they read, so a caller that does not keep that many in flight fails (the barrier
    breaks) instead of passing by luck. Other calls go to the real client."""

    def __init__(self, dynamodb: Any, times: int, keep: int = 1, meet: int = 0) -> None:
        self._dynamodb, self._left, self._keep = dynamodb, times, keep
        self._meeting = threading.Barrier(meet, timeout=30) if meet > 1 else None
        self._met = 0
        self._lock = threading.Lock()
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._dynamodb, name)

    def batch_get_item(self, RequestItems: dict[str, Any]) -> Any:  # noqa: N803 - boto3's names
        with self._lock:
            self.calls += 1
            short = self._left > 0
            self._left -= 1
            meets = self._meeting is not None and self._met < self._meeting.parties
            self._met += 1
        if meets and self._meeting is not None:
            self._meeting.wait()
        if not short:
            return self._dynamodb.batch_get_item(RequestItems=RequestItems)
        asked = {t: r | {"Keys": r["Keys"][: self._keep]} for t, r in RequestItems.items()}
        reply = self._dynamodb.batch_get_item(RequestItems=asked)
        left = {t: r | {"Keys": r["Keys"][self._keep :]} for t, r in RequestItems.items()}
        reply["UnprocessedKeys"] = {t: r for t, r in left.items() if r["Keys"]}
        return reply


class RawBody:
    """A raw HTTP body as botocore reads one (for answers made without the network)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Any:
        yield self._data


class ThrottledSends:
    """Answers the first `times` HTTP requests of a DynamoDB `operation` on one client with
    ThrottlingException, as a throttled table does (moto never throttles); botocore retries them.
    Keeps the body of every request sent, so a test can see what each attempt carried."""

    def __init__(self, dynamodb: Any, operation: str, times: int = 1) -> None:
        self._left = times
        self.bodies: list[bytes] = []
        dynamodb.meta.events.register(f"before-send.dynamodb.{operation}", self._send)

    def _send(self, request: Any, **_: Any) -> AWSResponse | None:
        self.bodies.append(bytes(request.body))
        if self._left <= 0:
            return None
        self._left -= 1
        error = b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException",'
        error += b'"message":"Rate of requests exceeds the allowed throughput."}'
        return AWSResponse(
            request.url, 400, {"x-amzn-ErrorType": "ThrottlingException"}, RawBody(error)
        )
