"""Leases and checkpoints, following the KCL's design: one item per shard with owner, lease
counter, checkpoint and parent shard ids; every write is conditional on the counter, so a worker
whose lease was taken can neither renew nor checkpoint it again.

`DynamoDBLeaseTable` shares leases between workers and processes (table key `leaseKey`, a
string); `MemoryLeaseStore` is for a single worker in one process, where nothing is shared.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any, Protocol

from botocore.exceptions import ClientError

from kinesis_consumer.streams import SHARD_END, TRIM_HORIZON


class LeaseLostError(Exception):
    """The lease's counter or owner moved on: another worker holds it now."""


@dataclass(frozen=True)
class Lease:
    """One shard's lease as stored."""

    shard_id: str
    owner: str | None = None
    counter: int = 0
    checkpoint: str = TRIM_HORIZON
    parent_ids: tuple[str, ...] = ()
    owner_switches: int = 0

    @property
    def finished(self) -> bool:
        """The shard was read to its end and its children may start."""
        return self.checkpoint == SHARD_END


class LeaseStore(Protocol):
    """Conditional lease operations; each returns the lease as written, or raises LeaseLostError."""

    async def create(self, lease: Lease) -> bool: ...

    async def list(self) -> list[Lease]: ...

    async def take(self, lease: Lease, owner: str) -> Lease: ...

    async def renew(self, lease: Lease) -> Lease: ...

    async def checkpoint(self, lease: Lease, checkpoint: str) -> Lease: ...

    async def release(self, lease: Lease) -> None: ...


def _taken(lease: Lease, owner: str) -> Lease:
    switches = lease.owner_switches + (lease.owner != owner)
    return replace(lease, owner=owner, counter=lease.counter + 1, owner_switches=switches)


class MemoryLeaseStore:
    """Leases in a dict: the same conditional semantics, for one process."""

    def __init__(self) -> None:
        self._leases: dict[str, Lease] = {}
        self._lock = asyncio.Lock()

    async def _swap(self, expected: Lease, new: Lease | None, *, check_owner: bool) -> None:
        async with self._lock:
            current = self._leases.get(expected.shard_id)
            same_owner = current is not None and current.owner == expected.owner
            if (
                current is None
                or current.counter != expected.counter
                or (check_owner and not same_owner)
            ):
                raise LeaseLostError(expected.shard_id)
            self._leases[expected.shard_id] = new or replace(
                current, owner=None, counter=current.counter + 1
            )

    async def create(self, lease: Lease) -> bool:
        async with self._lock:
            if lease.shard_id in self._leases:
                return False
            self._leases[lease.shard_id] = lease
            return True

    async def list(self) -> list[Lease]:
        return list(self._leases.values())

    async def take(self, lease: Lease, owner: str) -> Lease:
        new = _taken(lease, owner)
        await self._swap(lease, new, check_owner=False)
        return new

    async def renew(self, lease: Lease) -> Lease:
        new = replace(lease, counter=lease.counter + 1)
        await self._swap(lease, new, check_owner=True)
        return new

    async def checkpoint(self, lease: Lease, checkpoint: str) -> Lease:
        new = replace(lease, counter=lease.counter + 1, checkpoint=checkpoint, owner_switches=0)
        await self._swap(lease, new, check_owner=True)
        return new

    async def release(self, lease: Lease) -> None:
        await self._swap(lease, None, check_owner=True)


def _item(namespace: str, lease: Lease) -> dict[str, Any]:
    item: dict[str, Any] = {
        "leaseKey": {"S": f"{namespace}/{lease.shard_id}"},
        "namespace": {"S": namespace},
        "shardId": {"S": lease.shard_id},
        "leaseCounter": {"N": str(lease.counter)},
        "checkpoint": {"S": lease.checkpoint},
        "parentShardIds": {"L": [{"S": p} for p in lease.parent_ids]},
        "ownerSwitchesSinceCheckpoint": {"N": str(lease.owner_switches)},
    }
    if lease.owner:
        item["leaseOwner"] = {"S": lease.owner}
    return item


def _lease(item: dict[str, Any]) -> Lease:
    return Lease(
        shard_id=item["shardId"]["S"],
        owner=item.get("leaseOwner", {}).get("S"),
        counter=int(item["leaseCounter"]["N"]),
        checkpoint=item["checkpoint"]["S"],
        parent_ids=tuple(p["S"] for p in item.get("parentShardIds", {}).get("L", [])),
        owner_switches=int(item.get("ownerSwitchesSinceCheckpoint", {}).get("N", "0")),
    )


def _conditional_failure(error: ClientError) -> bool:
    return bool(error.response["Error"]["Code"] == "ConditionalCheckFailedException")


class DynamoDBLeaseTable:
    """Leases in a DynamoDB table (an aioboto3 client), one namespace per consumer application."""

    def __init__(self, client: Any, table: str, namespace: str) -> None:
        self._client, self._table, self._namespace = client, table, namespace

    async def create_table(self) -> None:
        """Create the table (on-demand) if it does not exist; for standalone use."""
        try:
            await self._client.create_table(
                TableName=self._table,
                AttributeDefinitions=[{"AttributeName": "leaseKey", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "leaseKey", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceInUseException":
                raise

    async def create(self, lease: Lease) -> bool:
        try:
            await self._client.put_item(
                TableName=self._table,
                Item=_item(self._namespace, lease),
                ConditionExpression="attribute_not_exists(leaseKey)",
            )
        except ClientError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    async def list(self) -> list[Lease]:
        leases: list[Lease] = []
        args: dict[str, Any] = {
            "TableName": self._table,
            "ConsistentRead": True,
            "FilterExpression": "#ns = :ns",
            "ExpressionAttributeNames": {"#ns": "namespace"},
            "ExpressionAttributeValues": {":ns": {"S": self._namespace}},
        }
        while True:
            reply = await self._client.scan(**args)
            leases += [_lease(item) for item in reply["Items"]]
            if "LastEvaluatedKey" not in reply:
                return leases
            args["ExclusiveStartKey"] = reply["LastEvaluatedKey"]

    async def _put(self, expected: Lease, new: Lease, *, check_owner: bool) -> Lease:
        condition = "leaseCounter = :counter"
        values: dict[str, Any] = {":counter": {"N": str(expected.counter)}}
        if check_owner:
            condition += " AND leaseOwner = :owner"
            values[":owner"] = {"S": expected.owner or ""}
        try:
            await self._client.put_item(
                TableName=self._table,
                Item=_item(self._namespace, new),
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if _conditional_failure(error):
                raise LeaseLostError(expected.shard_id) from error
            raise
        return new

    async def take(self, lease: Lease, owner: str) -> Lease:
        return await self._put(lease, _taken(lease, owner), check_owner=False)

    async def renew(self, lease: Lease) -> Lease:
        return await self._put(lease, replace(lease, counter=lease.counter + 1), check_owner=True)

    async def checkpoint(self, lease: Lease, checkpoint: str) -> Lease:
        new = replace(lease, counter=lease.counter + 1, checkpoint=checkpoint, owner_switches=0)
        return await self._put(lease, new, check_owner=True)

    async def release(self, lease: Lease) -> None:
        new = replace(lease, owner=None, counter=lease.counter + 1)
        await self._put(lease, new, check_owner=True)
