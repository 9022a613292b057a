"""The catalogue in memory: municipalities, authorities, bundles, permit kinds and types.

The catalogue is read-only while Luukku runs (`luukku catalogue load` changes it), so every
process keeps one snapshot instead of reading these rows for every request. Loading the
catalogue clears the snapshot of the loading process at once and, through the bus, of
every other process; the snapshot also expires after CATALOGUE_CACHE_SECONDS as a safety
net for a message lost while the bus was down.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from actions.catalogue import on_catalogue_change
from models import Municipality, Organisation, PermitKind, PermitType, ServiceBundle
from models.enums import OrganisationKind

Row = dict[str, Any]
TTL_SECONDS = 300.0


@dataclass(frozen=True)
class Snapshot:
    municipalities: dict[str, Row]
    authorities: dict[int, Row]
    bundles: dict[int, Row]
    permit_kinds: dict[int, Row]
    permit_types: dict[int, Row]


class CatalogueCache:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._snapshot: Snapshot | None = None
        self._loaded_at = 0.0
        self._lock: asyncio.Lock | None = None
        self.loads = 0

    def invalidate(self) -> None:
        self._snapshot = None

    def current(self) -> Snapshot | None:
        """The snapshot if it is fresh (for synchronous use), else None."""
        if self._snapshot is not None and time.monotonic() - self._loaded_at < self.ttl:
            return self._snapshot
        return None

    async def get(self) -> Snapshot:
        snapshot = self.current()
        if snapshot is not None:
            return snapshot
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            snapshot = self.current()
            if snapshot is None:
                snapshot = await _load()
                self._snapshot, self._loaded_at = snapshot, time.monotonic()
                self.loads += 1
            return snapshot


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
