"""The catalogue in memory: municipalities, authorities, bundles, permit kinds and types.

The catalogue is read-only while Luukku runs (`luukku catalogue load` changes it), so every
process keeps one snapshot instead of reading these rows for every request. Loading the
catalogue clears the snapshot of the loading process at once and, through the bus, of
every other process; the snapshot also expires after TTL_SECONDS (five minutes) as a
safety net for a message lost while the bus was down.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from actions.catalogue import on_catalogue_change
from models import Municipality, Organisation, PermitKind, PermitType, ServiceBundle
from models.enums import OrganisationKind

Row = dict[str, Any]
T = TypeVar("T")
TTL_SECONDS = 300.0


@dataclass(frozen=True)
class Snapshot:
    municipalities: dict[str, Row]
    authorities: dict[int, Row]
    bundles: dict[int, Row]
    permit_kinds: dict[int, Row]
    permit_types: dict[int, Row]
    #: objects built from the rows, once per snapshot (shared)
    built: dict[tuple[Any, Any], Any] = field(default_factory=dict, compare=False, repr=False)

    def shared(self, build: Callable[[Row], T], table: dict[Any, Row], key: Any) -> T | None:
        """`build` of the row `key` of `table` (one of this snapshot's), made once for every
        request that reads this snapshot: for read-only objects (the GraphQL types of
        permit types and authorities), which then need not be rebuilt per row and request."""
        found = self.built.get((build, key))
        if found is None:
            row = table.get(key)
            if row is None:
                return None
            found = self.built[build, key] = build(row)
        return cast(T, found)


class _Abandoned(Exception):
    """The caller reading the catalogue was cancelled: another caller reads it."""


class CatalogueCache:
    """The process's snapshot, read again when it is dropped or has expired.

    One read serves every caller: the first reads (in its own context, so inside its
    transaction as before), the others wait for the same future and are all woken in the
    same loop iteration when it is done. (They used to queue on a lock, which wakes one
    waiter per loop iteration: when the snapshot expired under load, the thousands of field
    resolvers waiting for it were let through one by one between other requests' work, and
    requests stalled for up to 20 s every TTL.) While an expired snapshot is read again, the
    others are served the expired one; a dropped one (the catalogue was loaded) never is."""

    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._snapshot: Snapshot | None = None
        self._loaded_at = 0.0
        #: the read in flight, if any
        self._loading: asyncio.Future[Snapshot] | None = None
        #: counts `invalidate`s: a read begun before one is not kept
        self._generation = 0
        self.loads = 0

    def invalidate(self) -> None:
        self._snapshot = None
        self._generation += 1
        self._loading = None  # a read in flight may have seen the old catalogue

    def current(self) -> Snapshot | None:
        """The snapshot if it is fresh (for synchronous use), else None."""
        if self._snapshot is not None and time.monotonic() - self._loaded_at < self.ttl:
            return self._snapshot
        return None

    async def get(self) -> Snapshot:
        snapshot = self.current()
        if snapshot is not None:
            return snapshot
        while True:
            loading = self._loading
            if loading is None:
                return await self._read()
            if self._snapshot is not None:
                return self._snapshot  # expired, not dropped: until the fresh one is read
            try:
                # shielded: a waiter that is cancelled stops waiting, the read goes on
                return await asyncio.shield(loading)
            except _Abandoned:
                continue

    async def _read(self) -> Snapshot:
        generation = self._generation
        future: asyncio.Future[Snapshot] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieved)
        self._loading = future
        try:
            snapshot = await _load()
        except BaseException as error:
            if self._loading is future:
                self._loading = None
            # the waiters fail as this read did; if it was cancelled, one of them reads
            future.set_exception(error if isinstance(error, Exception) else _Abandoned())
            raise
        if self._generation == generation:
            self._snapshot, self._loaded_at = snapshot, time.monotonic()
            self._loading = None
            self.loads += 1
        future.set_result(snapshot)
        return snapshot


def _retrieved(future: asyncio.Future[Snapshot]) -> None:
    """A failed read's error is raised to the callers waiting for it; when none waited, it
    is taken here, so that asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()


async def _load() -> Snapshot:
    return Snapshot(
        municipalities={r["code"]: r for r in await Municipality.all().values()},
        authorities={
            r["id"]: r for r in await Organisation.filter(kind=OrganisationKind.AUTHORITY).values()
        },
        bundles={r["id"]: r for r in await ServiceBundle.all().values()},
        permit_kinds={r["id"]: r for r in await PermitKind.all().values()},
        permit_types={r["id"]: r for r in await PermitType.all().values()},
    )


catalogue_cache = CatalogueCache()
on_catalogue_change(catalogue_cache.invalidate)
