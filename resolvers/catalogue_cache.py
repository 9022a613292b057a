"""The catalogue in memory: municipalities, authorities, bundles, permit kinds and types.

The catalogue is read-only while Luukku runs (`luukku catalogue load` changes it), so every
process keeps one snapshot instead of reading these rows for every request. Loading the
catalogue clears the snapshot of the loading process at once and, through the bus, of
every other process; the snapshot also expires after TTL_SECONDS (five minutes) as a
safety net for a message lost while the bus was down.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from actions.catalogue import on_catalogue_change
from actions.shared_read import SharedRead
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


class CatalogueCache:
    """The process's snapshot, read again when it is dropped or has expired: by one read
    for every caller (`SharedRead`). While an expired snapshot is read again, the others are
    served the expired one; a dropped one (the catalogue was loaded) never is."""

    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._snapshot: Snapshot | None = None
        self._loaded_at = 0.0
        self._read: SharedRead[Snapshot] = SharedRead()
        self.loads = 0

    def invalidate(self) -> None:
        self._snapshot = None
        self._read.drop()

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
            if not self._read.reading:
                return await self._read.read(_load, self._keep)
            if self._snapshot is not None:
                return self._snapshot  # expired, not dropped: until the fresh one is read
            found = await self._read.wait()
            if found is not None:
                return found

    def _keep(self, snapshot: Snapshot) -> None:
        self._snapshot, self._loaded_at = snapshot, time.monotonic()
        self.loads += 1


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
