"""A lease-based stream consumer: each worker owns some shards, reads them, and checkpoints only
after the records before the checkpoint were processed (at least once, never lost).

Several workers (tasks or processes) share a stream through one lease table: expired leases are
taken first, then at most one is stolen at a time from the most loaded worker. Parents are read
to SHARD_END before their children start, so per-key order survives splits and merges.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from kinesis_consumer.leases import Lease, LeaseLostError, LeaseStore
from kinesis_consumer.metrics import ConsumerMetrics
from kinesis_consumer.streams import (
    AT_TIMESTAMP,
    SHARD_END,
    TRIM_HORIZON,
    Position,
    ShardInfo,
    StreamSource,
)

logger = logging.getLogger("kinesis_consumer")
THROTTLED = {"ProvisionedThroughputExceededException", "LimitExceededException"}


@dataclass(frozen=True)
class ShardBatch:
    """Records read from one shard, in order, handed to the processor."""

    shard_id: str
    records: list[dict[str, Any]]
    millis_behind: int | None = None


Processor = Callable[[ShardBatch], Awaitable[None]]


@dataclass(frozen=True)
class ConsumerSettings:
    """Timings and limits of a worker; the defaults are the KCL's and Kinesis's."""

    worker_id: str = field(default_factory=lambda: f"worker-{uuid.uuid4().hex[:8]}")
    failover_s: float = 10.0
    shard_sync_interval_s: float = 60.0
    initial_position: str = TRIM_HORIZON
    initial_timestamp: datetime | None = None
    max_records_per_call: int = 10_000
    min_call_interval_s: float = 0.2
    idle_sleep_s: float = 1.0
    batch_records: int = 10_000
    batching_window_s: float = 0.0
    max_leases: int | None = None
    max_backoff_s: float = 5.0

    @property
    def renew_interval_s(self) -> float:
        return self.failover_s / 3

    @property
    def take_interval_s(self) -> float:
        return self.failover_s / 2


@dataclass
class HeldLease:
    """A lease this worker holds; renewal and checkpoint share its one in-memory counter."""

    lease: Lease
    store: LeaseStore
    renewed_at: float
    lost: bool = False
    reader: asyncio.Task[None] | None = None
    idle_reads: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def renew(self, now: float) -> None:
        async with self.lock:
            if self.lost:
                return
            try:
                self.lease = await self.store.renew(self.lease)
            except LeaseLostError:
                self.lost = True
                raise
            self.renewed_at = now

    async def checkpoint(self, checkpoint: str) -> None:
        async with self.lock:
            if self.lost:
                raise LeaseLostError(self.lease.shard_id)
            try:
                self.lease = await self.store.checkpoint(self.lease, checkpoint)
            except LeaseLostError:
                self.lost = True
                raise


class Consumer:
    """One worker: shard sync, lease taking and renewal, and a reader task per owned shard."""

    def __init__(self, source: StreamSource, leases: LeaseStore, processor: Processor,
                 settings: ConsumerSettings | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.source, self.leases, self.processor = source, leases, processor
        self.settings = settings or ConsumerSettings()
        self.metrics = ConsumerMetrics()
        self._clock = clock
        self._held: dict[str, HeldLease] = {}
        self._seen: dict[str, tuple[int, float]] = {}
        self._finished: set[str] = set()
        self._known: dict[str, Lease] = {}
        self._stopping = False
        self._sync_now = asyncio.Event()
        self._halt = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []
        self._rounds = 0
        self._resync = False

    @property
    def worker_id(self) -> str:
        return self.settings.worker_id

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def held(self) -> list[str]:
        """Shard ids this worker holds (and has not lost)."""
        return sorted(s for s, h in self._held.items() if not h.lost)

    # -- shard sync --------------------------------------------------------------------------
    async def sync_shards(self) -> int:
        """Create a lease for every shard that has none; the number created."""
        shards = await self.source.shards()
        listed = {s.shard_id for s in shards}
        created = 0
        for shard in shards:
            created += await self.leases.create(self._new_lease(shard, listed))
        return created

    def _new_lease(self, shard: ShardInfo, listed: set[str]) -> Lease:
        parents = tuple(p for p in shard.parent_ids if p in listed)
        start = TRIM_HORIZON if parents else self.settings.initial_position
        return Lease(shard.shard_id, checkpoint=start, parent_ids=parents)

    # -- lease taking ------------------------------------------------------------------------
    def _observe(self, leases: list[Lease], now: float) -> None:
        for lease in leases:
            counter, since = self._seen.get(lease.shard_id, (-1, now))
            self._seen[lease.shard_id] = (lease.counter, since if counter == lease.counter else now)
            self._known[lease.shard_id] = lease
            if lease.finished:
                self._finished.add(lease.shard_id)

    def _expired(self, lease: Lease, now: float) -> bool:
        if lease.owner is None or (
            lease.owner == self.worker_id and lease.shard_id not in self._held
        ):
            return True
        return now - self._seen[lease.shard_id][1] > self.settings.failover_s

    async def take_leases(self) -> list[str]:
        """Take expired leases up to this worker's fair share, else steal one; the shards taken."""
        now = self._clock()
        leases = await self.leases.list()
        self._observe(leases, now)
        self._rounds += 1
        active = [lease for lease in leases if not lease.finished]
        load: dict[str, int] = {}
        for lease in active:
            if lease.owner and lease.owner != self.worker_id and not self._expired(lease, now):
                load[lease.owner] = load.get(lease.owner, 0) + 1
        target = math.ceil(len(active) / (len(load) + 1)) if active else 0
        if self.settings.max_leases is not None:
            target = min(target, self.settings.max_leases)
        need = target - len(self.held)
        if need <= 0:
            return []
        candidates = [
            lease
            for lease in active
            if lease.shard_id not in self._held and self._expired(lease, now)
        ]
        random.shuffle(candidates)  # spread workers over shards
        stolen = not candidates
        if stolen:
            candidates = self._steal_candidate(active, load, target)
        taken = [s for s in [await self._take(lease, now) for lease in candidates[:need]] if s]
        if stolen and taken:
            self.metrics.leases_stolen += len(taken)
        return taken

    def _steal_candidate(
        self, active: list[Lease], load: dict[str, int], target: int
    ) -> list[Lease]:
        if not load:
            return []
        victim, count = max(load.items(), key=lambda item: item[1])
        if count <= target and count - len(self.held) <= 1:
            return []
        victims = [lease for lease in active if lease.owner == victim]
        return [random.choice(victims)]  # noqa: S311 - load spreading, not security

    async def _take(self, lease: Lease, now: float) -> str | None:
        try:
            taken = await self.leases.take(lease, self.worker_id)
        except LeaseLostError:
            return None
        self._held[lease.shard_id] = HeldLease(taken, self.leases, renewed_at=now)
        self.metrics.leases_taken += 1
        self.metrics.leases_held = len(self._held)
        logger.info("lease taken", extra={"shard_id": lease.shard_id, "from": lease.owner})
        return lease.shard_id

    # -- renewal -----------------------------------------------------------------------------
    async def renew_leases(self) -> list[str]:
        """Renew every held lease; drop the ones lost. The shards lost."""
        now = self._clock()
        lost = []
        for shard_id, held in list(self._held.items()):
            try:
                await held.renew(now)
            except LeaseLostError:
                lost.append(shard_id)
            except ClientError:
                if now - held.renewed_at > self.settings.failover_s:
                    held.lost = True
                    lost.append(shard_id)
        for shard_id in lost:
            self._drop(shard_id, "lease lost")
        return lost

    def _drop(self, shard_id: str, why: str) -> None:
        held = self._held.pop(shard_id)
        held.lost = True
        self.metrics.leases_held = len(self._held)
        self.metrics.leases_lost += why == "lease lost"
        logger.warning(why, extra={"shard_id": shard_id, "worker": self.worker_id})

    # -- readers -----------------------------------------------------------------------------
    def _parents_done(self, lease: Lease) -> bool:
        return all(p in self._finished or p not in self._known for p in lease.parent_ids)

    async def start_readers(self) -> list[str]:
        """Start a reader for each held shard whose parents are finished; the shards started."""
        if any(not self._parents_done(h.lease) for h in self._held.values()):
            self._observe(await self.leases.list(), self._clock())
        started = []
        for shard_id, held in self._held.items():
            if held.reader is None and not held.lost and self._parents_done(held.lease):
                held.reader = asyncio.create_task(self._read_shard(held), name=shard_id)
                started.append(shard_id)
        return started

    def position(self, lease: Lease) -> Position:
        """Where a reader of `lease` starts: after its checkpoint, or its initial position."""
        if lease.checkpoint == AT_TIMESTAMP:
            return Position(AT_TIMESTAMP, timestamp=self.settings.initial_timestamp)
        if lease.checkpoint.isdigit():
            return Position.after(lease.checkpoint)
        return Position(lease.checkpoint)

    async def _read_shard(self, held: HeldLease) -> None:
        shard_id = held.lease.shard_id
        reader = _ShardReader(self, held)
        try:
            await reader.run()
        except LeaseLostError:
            pass
        except Exception:
            logger.exception("shard reader failed", extra={"shard_id": shard_id})
            raise
        if held.lease.finished:
            self._finished.add(shard_id)
            self._held.pop(shard_id, None)
            self._resync = True
            self._sync_now.set()

    # -- lifecycle ---------------------------------------------------------------------------
    def idle(self, reads: int = 2) -> bool:
        """Every held shard read nothing `reads` times in a row, and no startable lease waits."""
        open_leases = [
            lease
            for lease in self._known.values()
            if not lease.finished and lease.shard_id not in self._finished
        ]
        waiting = [lease for lease in open_leases if lease.shard_id not in self._held]
        readers_idle = all(h.reader and h.idle_reads >= reads for h in self._held.values())
        return self._rounds > 0 and not self._resync and not waiting and readers_idle

    async def step(self) -> None:
        """One round of sync, take, renew and start; what `run` does on its timers."""
        self._resync = False
        await self.sync_shards()
        await self.take_leases()
        await self.renew_leases()
        await self.start_readers()

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then shut down gracefully."""
        self._stopping = False
        self._halt = asyncio.Event()
        await self.step()
        every = self._every
        self._loops = [
            asyncio.create_task(every(self.settings.shard_sync_interval_s, self.step, True)),
            asyncio.create_task(every(self.settings.take_interval_s, self._take_and_start)),
            asyncio.create_task(every(self.settings.renew_interval_s, self.renew_leases)),
        ]
        try:
            await stop.wait()
        except asyncio.CancelledError:
            self.kill()
            raise
        await self.shutdown()

    async def _take_and_start(self) -> None:
        await self.take_leases()
        await self.start_readers()

    async def _every(
        self, interval: float, action: Callable[[], Awaitable[Any]], sync: bool = False
    ) -> None:
        """Run `action` every `interval` (or when a resync is asked) until shutdown; an action
        in progress is finished, never cancelled, so no lease is taken and then forgotten."""
        while True:
            await _wait_any([self._halt, *([self._sync_now] if sync else [])], interval)
            if self._stopping:
                return
            if sync:
                self._sync_now.clear()
            try:
                await action()
            except Exception:  # a background loop logs and carries on; it never dies silently
                logger.exception("lease or shard call failed", extra={"worker": self.worker_id})

    async def shutdown(self) -> None:
        """Stop fetching, let readers process and checkpoint what they read, release the leases."""
        self._stopping = True
        self._halt.set()
        await asyncio.gather(*self._loops, return_exceptions=True)
        self._loops = []
        readers = [h.reader for h in self._held.values() if h.reader]
        await asyncio.gather(*readers, return_exceptions=True)
        for shard_id, held in list(self._held.items()):
            if not held.lost:
                with contextlib.suppress(LeaseLostError):
                    await self.leases.release(held.lease)
            self._held.pop(shard_id, None)
        self.metrics.leases_held = 0

    def kill(self) -> None:
        """Die as on SIGKILL: every task cancelled, nothing checkpointed or released."""
        self._stopping = True
        for task in [h.reader for h in self._held.values()] + self._loops:
            if task:
                task.cancel()


async def _wait_any(events: list[asyncio.Event], timeout: float) -> None:
    """Until one of `events` is set or `timeout` passed."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


class _ShardReader:
    """Reads one shard: paced GetRecords, backoff on throttling, batching window, checkpoints."""

    def __init__(self, consumer: Consumer, held: HeldLease) -> None:
        self.consumer, self.held = consumer, held
        self.settings = consumer.settings
        self.shard_id = held.lease.shard_id
        self.last_read: str | None = None
        self.last_call = 0.0
        self.backoff = 0.0

    async def _iterator(self) -> str:
        source = self.consumer.source
        if self.last_read is not None:
            return await source.iterator(self.shard_id, Position.after(self.last_read))
        return await source.iterator(self.shard_id, self.consumer.position(self.held.lease))

    async def _pace(self) -> None:
        wait = self.last_call + self.settings.min_call_interval_s - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self.last_call = time.monotonic()

    async def run(self) -> None:
        iterator: str | None = await self._iterator()
        buffer: list[dict[str, Any]] = []
        first_at = 0.0
        behind: int | None = None
        while iterator is not None and not self._should_stop():
            await self._pace()
            try:
                result = await self.consumer.source.read(
                    iterator, self.settings.max_records_per_call
                )
            except ClientError as error:
                iterator = await self._recover(error, iterator)
                continue
            self.backoff = 0.0
            if result.records and not buffer:
                first_at = time.monotonic()
            buffer += result.records
            behind, iterator = result.millis_behind, result.next_iterator
            if result.records:
                self.last_read = self.consumer.source.sequence(result.records[-1])
            self.consumer.metrics.observe_read(self.shard_id, behind, self._arrival(result.records))
            if buffer and (iterator is None or self._batch_ready(buffer, first_at)):
                await self._process(buffer, behind)
                buffer = []
            self.held.idle_reads = 0 if result.records else self.held.idle_reads + 1
            if not result.records and iterator is not None:
                await asyncio.sleep(self.settings.idle_sleep_s)
        if buffer:
            await self._process(buffer, behind)
        if iterator is None and not self.held.lost:
            await self.held.checkpoint(SHARD_END)
            logger.info("shard finished", extra={"shard_id": self.shard_id})

    def _should_stop(self) -> bool:
        return self.consumer.stopping or self.held.lost

    def _batch_ready(self, buffer: list[dict[str, Any]], first_at: float) -> bool:
        if len(buffer) >= self.settings.batch_records:
            return True
        return time.monotonic() - first_at >= self.settings.batching_window_s

    def _arrival(self, records: list[dict[str, Any]]) -> datetime | None:
        if not records:
            return None
        arrival = records[-1].get("ApproximateArrivalTimestamp")
        return arrival if isinstance(arrival, datetime) else None

    async def _recover(self, error: ClientError, iterator: str) -> str:
        code = error.response["Error"]["Code"]
        if code in THROTTLED:
            self.backoff = min(self.settings.max_backoff_s, max(0.2, self.backoff * 2))
            self.consumer.metrics.throttled += 1
            jitter = random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not security
            await asyncio.sleep(self.backoff * jitter)
            return iterator
        if code == "ExpiredIteratorException":
            self.consumer.metrics.iterators_expired += 1
            return await self._iterator()
        raise error

    async def _process(self, records: list[dict[str, Any]], behind: int | None) -> None:
        """Process until it succeeds (at least once), then checkpoint the last record."""
        batch = ShardBatch(self.shard_id, records, behind)
        while True:
            try:
                await self.consumer.processor(batch)
                break
            except Exception:
                logger.exception("processor failed; retrying", extra={"shard_id": self.shard_id})
                if self._should_stop():
                    raise LeaseLostError(self.shard_id) from None
                await asyncio.sleep(min(self.settings.max_backoff_s, 1.0))
        self.consumer.metrics.records_processed += len(records)
        await self.held.checkpoint(self.consumer.source.sequence(records[-1]))
