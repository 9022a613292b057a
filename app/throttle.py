"""Throttling: failed authentication and expensive operations, per client address and account.

Counts are kept in fixed windows in one store that every worker shares (THROTTLE_STORE):
Redis (the default when BROADCAST_URL is Redis), the database (`throttle_count`, the
default otherwise) or this process's memory (one worker only). A client over an allowance
gets HTTP 429 with `Retry-After` (the seconds left in the window) until the window ends.

- `auth`: failed authentications (THROTTLE_AUTH, default 20 per 60 s) per client address,
  and per account when the caller names one (sign-in forms). Only failures count, and a
  token already known to this process is never checked, so valid users pay nothing.
- `cost`: points (`schema.limits` cost) per signed-in person or system token, or per
  address for anonymous clients (THROTTLE_COST, default 1,000,000 per 60 s). Only
  operations costing at least THROTTLE_COST_FROM (1,000) and mutations are counted.

Other entry points (e.g. sign-in routes) use the same two calls:

    await throttle.check(request, "auth", account=email)   # raises Throttled (429)
    ...
    await throttle.failed(request, "auth", account=email)  # after a failed attempt
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from tortoise import connections

from actions.sql import param
from app.security import client_address
from models.settings import Settings, get_settings

log = logging.getLogger("luukku.throttle")


class Throttled(Exception):
    """Over an allowance: answer 429 with Retry-After."""

    def __init__(self, kind: str, retry_after: int) -> None:
        super().__init__(f"{kind}: retry after {retry_after} s")
        self.kind = kind
        self.retry_after = max(1, retry_after)


def throttled_response(exc: Throttled) -> JSONResponse:
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"Too many requests; try again in {exc.retry_after} s.",
                    "extensions": {"code": "RATE_LIMITED", "retryAfter": exc.retry_after},
                }
            ]
        },
        status_code=429,
        headers={"Retry-After": str(exc.retry_after)},
    )


class Store(Protocol):
    async def add(self, key: str, amount: int, expires: float) -> int:
        """Add `amount` to the count of `key` (a window ending at `expires`, epoch
        seconds); returns the new count."""

    async def get(self, key: str) -> int: ...


class MemoryStore:
    def __init__(self, max_keys: int = 100_000) -> None:
        self._counts: dict[str, tuple[int, float]] = {}
        self.max_keys = max_keys

    async def add(self, key: str, amount: int, expires: float) -> int:
        now = time.time()
        if len(self._counts) >= self.max_keys:
            self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            if len(self._counts) >= self.max_keys:
                self._counts.clear()
        total = self._counts.get(key, (0, expires))[0] + amount
        self._counts[key] = (total, expires)
        return total

    async def get(self, key: str) -> int:
        entry = self._counts.get(key)
        return entry[0] if entry is not None and entry[1] > time.time() else 0


class RedisStore:
    def __init__(self, url: str) -> None:
        from redis import asyncio as aioredis

        self._redis = aioredis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    async def add(self, key: str, amount: int, expires: float) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(key, amount)
            pipe.expireat(key, math.ceil(expires) + 1)
            total, _ = await pipe.execute()
        return int(total)

    async def get(self, key: str) -> int:
        value = await self._redis.get(key)
        return int(value) if value is not None else 0

    async def close(self) -> None:
        await self._redis.aclose()


class DatabaseStore:
    """`throttle_count`: one upsert per counted event (SQLite and PostgreSQL)."""

    async def add(self, key: str, amount: int, expires: float) -> int:
        conn = connections.get("default")
        p = param(conn)
        until = datetime.fromtimestamp(expires, UTC)
        rows = await conn.execute_query_dict(
            f"INSERT INTO throttle_count (key, total, expires_at) VALUES ({p(1)}, {p(2)}, {p(3)}) "
            "ON CONFLICT (key) DO UPDATE SET total = throttle_count.total + excluded.total "
            "RETURNING total",
            [key, amount, until],
        )
        if amount and hash(key) % 64 == 0:  # now and then, drop the windows that have ended
            await conn.execute_query(
                f"DELETE FROM throttle_count WHERE expires_at < {p(1)}",
                [datetime.now(UTC) - timedelta(seconds=1)],
            )
        return int(rows[0]["total"])

    async def get(self, key: str) -> int:
        conn = connections.get("default")
        p = param(conn)
        rows = await conn.execute_query_dict(
            f"SELECT total FROM throttle_count WHERE key = {p(1)} AND expires_at > {p(2)}",
            [key, datetime.now(UTC)],
        )
        return int(rows[0]["total"]) if rows else 0


@dataclass(frozen=True)
class Rule:
    limit: int
    window: int

    def bucket(self, now: float) -> tuple[int, float]:
        index = int(now // self.window)
        return index, (index + 1) * self.window


class Throttle:
    """The process's throttle (configured by `configure`, at start-up)."""

    def __init__(self) -> None:
        self.store: Store = MemoryStore()
        self.prefix = "luukku"
        self.rules: dict[str, Rule] = {}
        #: over-limit keys this process knows of, until their window ends: an attacker's
        #: requests cost no store round trip
        self._blocked: dict[str, float] = {}

    def configure(self, settings: Settings) -> None:
        store = settings.throttle_store
        if store == "memory":
            self.store = MemoryStore()
        elif store == "database":
            self.store = DatabaseStore()
        else:
            self.store = RedisStore(store)
        self.prefix = settings.broadcast_prefix
        self.rules = {
            "auth": Rule(*settings.throttle_auth),
            "cost": Rule(*settings.throttle_cost),
        }
        self._blocked.clear()

    def forget(self) -> None:
        """Drop what this process remembers of blocked clients (tests empty the store too)."""
        self._blocked.clear()

    def _keys(self, kind: str, request: HTTPConnection | None, account: str | None) -> list[str]:
        keys = []
        if request is not None:
            keys.append(f"address:{client_address(request.scope)}")
        if account is not None:
            keys.append(f"account:{account.strip().lower()[:150]}")
        return keys

    def _key(self, kind: str, who: str, index: int) -> str:
        return f"{self.prefix}:throttle:{kind}:{who}:{index}"

    async def check(
        self, request: HTTPConnection | None, kind: str, account: str | None = None
    ) -> None:
        """Raise Throttled if the client address (or the account) has used up `kind`."""
        await self._check_keys(kind, self._keys(kind, request, account))

    async def _check_keys(self, kind: str, whos: list[str]) -> None:
        rule = self.rules.get(kind)
        if rule is None or rule.limit <= 0:
            return
        now = time.time()
        index, ends = rule.bucket(now)
        for who in whos:
            key = self._key(kind, who, index)
            blocked_until = self._blocked.get(key)
            if blocked_until is not None and blocked_until > now:
                raise Throttled(kind, math.ceil(blocked_until - now))
            if await self._get(key) >= rule.limit:
                self._remember(key, ends)
                raise Throttled(kind, math.ceil(ends - now))

    async def failed(
        self, request: HTTPConnection | None, kind: str, account: str | None = None
    ) -> None:
        """Count one failure of `kind` for the client address (and the account)."""
        await self.spend(kind, self._keys(kind, request, account), 1)

    async def spend(self, kind: str, whos: list[str], amount: int, *, check: bool = False) -> None:
        """Add `amount` to each of `whos`; with `check`, raise Throttled when that goes over."""
        rule = self.rules.get(kind)
        if rule is None or rule.limit <= 0 or amount <= 0:
            return
        now = time.time()
        index, ends = rule.bucket(now)
        for who in whos:
            key = self._key(kind, who, index)
            total = await self._add(key, amount, ends)
            if total >= rule.limit:
                self._remember(key, ends)
            if check and total > rule.limit:
                raise Throttled(kind, math.ceil(ends - now))

    def _remember(self, key: str, until: float) -> None:
        if len(self._blocked) > 10_000:
            now = time.time()
            self._blocked = {k: v for k, v in self._blocked.items() if v > now}
        self._blocked[key] = until

    async def _get(self, key: str) -> int:
        try:
            return await asyncio.wait_for(self.store.get(key), 2)
        except Exception:  # a throttle that cannot count lets requests through, loudly
            log.exception("throttle store unavailable")
            return 0

    async def _add(self, key: str, amount: int, expires: float) -> int:
        try:
            return await asyncio.wait_for(self.store.add(key, amount, expires), 2)
        except Exception:
            log.exception("throttle store unavailable")
            return 0

    async def close(self) -> None:
        close = getattr(self.store, "close", None)
        if close is not None:
            await close()


throttle = Throttle()
throttle.configure(get_settings())
