"""The attachment store: where files are kept, chosen by ATTACHMENT_STORAGE.

- A local folder (the default, `var/attachments`): one file per object under `objects/`,
  written to `tmp/` first and renamed into place when complete, so a crash never leaves a
  half-written object under a key. Quarantined objects move to `quarantine/`.
- PostgreSQL large objects (`postgres` or `postgres://...`): for several hosts. The table
  `luukku_blob` maps each key to its large object; writes go in with `lo_put` chunk by chunk,
  reads come out with `lo_get` by range, so neither ever holds a whole file in memory.

Every store streams: `write()` takes chunks, `read()` yields them for a byte range. Keys are
random; the attachment row keeps the key. Objects whose row never committed (a failed
upload) are removed by the action that wrote them, or by `sweep()` (`luukku attachments purge`).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Protocol

CHUNK = 256 * 1024


class StorageError(Exception):
    """The store cannot keep or give the object."""


class Writer(Protocol):
    key: str

    async def write(self, chunk: bytes) -> None: ...
    async def commit(self) -> None: ...
    async def abort(self) -> None: ...


class Storage(Protocol):
    name: str

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def create(self) -> Writer: ...
    def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]: ...
    async def delete(self, key: str) -> None: ...
    async def quarantine(self, key: str) -> None: ...
    async def exists(self, key: str) -> bool: ...
    async def keys_older_than(self, seconds: float) -> list[str]: ...


def new_key() -> str:
    return secrets.token_hex(20)


def _valid_key(key: str) -> str:
    if len(key) != 40 or any(c not in "0123456789abcdef" for c in key):
        raise StorageError("not a storage key")
    return key


# --- a local folder -------------------------------------------------------------------------


class _FileWriter:
    def __init__(self, store: LocalStorage, key: str) -> None:
        self.key = key
        self._store = store
        self._path = store.root / "tmp" / key
        self._handle = self._path.open("wb")

    async def write(self, chunk: bytes) -> None:
        await asyncio.to_thread(self._handle.write, chunk)

    async def commit(self) -> None:
        def finish() -> None:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            target = self._store.path(self.key)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self._path, target)

        await asyncio.to_thread(finish)

    async def abort(self) -> None:
        self._handle.close()
        self._path.unlink(missing_ok=True)


class LocalStorage:
    """Objects in a local folder (one host)."""

    name = "local"

    def __init__(self, root: str) -> None:
        self.root = Path(root)

    async def open(self) -> None:
        for part in ("objects", "tmp", "quarantine"):
            (self.root / part).mkdir(parents=True, exist_ok=True)

    async def close(self) -> None:
        return None

    def path(self, key: str, *, quarantined: bool = False) -> Path:
        key = _valid_key(key)
        return self.root / ("quarantine" if quarantined else "objects") / key[:2] / key

    async def create(self) -> _FileWriter:
        await self.open()
        return _FileWriter(self, new_key())

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self.path(key)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError as exc:
            raise StorageError("no such object") from exc
        try:
            await asyncio.to_thread(handle.seek, start)
            remaining = None if end is None else end - start
            while remaining is None or remaining > 0:
                size = CHUNK if remaining is None else min(CHUNK, remaining)
                chunk = await asyncio.to_thread(handle.read, size)
                if not chunk:
                    return
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            handle.close()

    async def delete(self, key: str) -> None:
        for quarantined in (False, True):
            self.path(key, quarantined=quarantined).unlink(missing_ok=True)

    async def quarantine(self, key: str) -> None:
        source, target = self.path(key), self.path(key, quarantined=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.exists():
            await asyncio.to_thread(shutil.move, source, target)

    async def exists(self, key: str) -> bool:
        return self.path(key).exists()

    async def keys_older_than(self, seconds: float) -> list[str]:
        limit = time.time() - seconds
        found: list[str] = []
        for folder in ("objects", "quarantine", "tmp"):
            for path in (self.root / folder).rglob("*"):
                if path.is_file() and path.stat().st_mtime < limit:
                    found.append(path.name)
        return found


# --- PostgreSQL large objects ------------------------------------------------------------------

_BLOB_TABLE = """
CREATE TABLE IF NOT EXISTS luukku_blob (
    key text PRIMARY KEY,
    oid oid NOT NULL,
    complete boolean NOT NULL DEFAULT false,
    quarantined boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""


class _LargeObjectWriter:
    def __init__(self, store: PostgresStorage, key: str, oid: int) -> None:
        self.key = key
        self._store = store
        self._oid = oid
        self._offset = 0

    async def write(self, chunk: bytes) -> None:
        await self._store.pool.execute("SELECT lo_put($1, $2, $3)", self._oid, self._offset, chunk)
        self._offset += len(chunk)

    async def commit(self) -> None:
        await self._store.pool.execute(
            "UPDATE luukku_blob SET complete = true WHERE key = $1", self.key
        )

    async def abort(self) -> None:
        await self._store.delete(self.key)


class PostgresStorage:
    """Objects as PostgreSQL large objects (shared by every host that reaches the database)."""

    name = "postgres"

    def __init__(self, url: str, pool_size: int = 4) -> None:
        self.url = "postgresql://" + url.split("://", 1)[1].split("?", 1)[0]
        self.pool_size = pool_size
        self._pool: object | None = None
        self._lock = asyncio.Lock()

    @property
    def pool(self):  # type: ignore[no-untyped-def]  # asyncpg.Pool
        if self._pool is None:
            raise StorageError("the attachment store is not open")
        return self._pool

    async def open(self) -> None:
        import asyncpg

        async with self._lock:
            if self._pool is None:
                pool = await asyncpg.create_pool(self.url, min_size=1, max_size=self.pool_size)
                await pool.execute(_BLOB_TABLE)
                self._pool = pool

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()  # type: ignore[attr-defined]  # an asyncpg.Pool, imported on open

    async def create(self) -> _LargeObjectWriter:
        await self.open()
        key = new_key()
        async with self.pool.acquire() as conn, conn.transaction():
            oid = await conn.fetchval("SELECT lo_create(0)")
            await conn.execute("INSERT INTO luukku_blob (key, oid) VALUES ($1, $2)", key, oid)
        return _LargeObjectWriter(self, key, oid)

    async def _oid(self, key: str, *, servable: bool) -> int:
        await self.open()
        row = await self.pool.fetchrow(
            "SELECT oid, complete, quarantined FROM luukku_blob WHERE key = $1", _valid_key(key)
        )
        if row is None or (servable and (not row["complete"] or row["quarantined"])):
            raise StorageError("no such object")
        return int(row["oid"])

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        oid = await self._oid(key, servable=True)
        offset = start
        while end is None or offset < end:
            size = CHUNK if end is None else min(CHUNK, end - offset)
            chunk = await self.pool.fetchval("SELECT lo_get($1, $2, $3)", oid, offset, size)
            if not chunk:
                return
            offset += len(chunk)
            yield bytes(chunk)

    async def delete(self, key: str) -> None:
        await self.open()
        async with self.pool.acquire() as conn, conn.transaction():
            oid = await conn.fetchval("DELETE FROM luukku_blob WHERE key = $1 RETURNING oid", key)
            if oid is not None:
                await conn.execute(
                    "SELECT lo_unlink($1) FROM pg_largeobject_metadata WHERE oid = $1", oid
                )

    async def quarantine(self, key: str) -> None:
        await self.open()
        await self.pool.execute("UPDATE luukku_blob SET quarantined = true WHERE key = $1", key)

    async def exists(self, key: str) -> bool:
        try:
            await self._oid(key, servable=True)
        except StorageError:
            return False
        return True

    async def keys_older_than(self, seconds: float) -> list[str]:
        await self.open()
        rows = await self.pool.fetch(
            "SELECT key FROM luukku_blob WHERE created_at < now() - make_interval(secs => $1)",
            float(seconds),
        )
        return [row["key"] for row in rows]


# --- the process's store ------------------------------------------------------------------------

_store: Storage | None = None


def storage_for(setting: str) -> Storage:
    if setting.startswith("postgres://"):
        return PostgresStorage(setting)
    return LocalStorage(setting)


def get_storage() -> Storage:
    """The store of ATTACHMENT_STORAGE (made on first use)."""
    global _store
    if _store is None:
        from models.settings import get_settings

        _store = storage_for(get_settings().attachment_storage)
    return _store


def set_storage(store: Storage | None) -> None:
    """Use another store in this process (tests, the benchmark)."""
    global _store
    _store = store


async def close_storage() -> None:
    global _store
    if _store is not None:
        await _store.close()
        _store = None


async def delete_quietly(store: Storage, keys: Iterable[str]) -> None:
    """Remove objects whose rows were not written (best effort; `sweep` catches the rest)."""
    for key in keys:
        try:
            await store.delete(key)
        except Exception:
            continue
