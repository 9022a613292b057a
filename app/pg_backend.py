"""Tortoise's asyncpg backend, without resetting a pooled connection after every statement.

asyncpg's pool runs `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` each time a
connection goes back to the pool, which Tortoise does after every statement outside a
transaction: one more round trip per statement. Luukku sets no session state, takes no
advisory locks, leaves no cursors open and listens on its own connections (the bus), so
the reset query is empty. An open transaction is still always ended by asyncpg.
"""

from __future__ import annotations

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient


class Connection(asyncpg.Connection):
    def get_reset_query(self) -> str:
        return ""


class LuukkuAsyncpgClient(AsyncpgDBClient):
    # Tortoise's attribute is inferred as `type[Connection[_Record]]` with asyncpg's stubs'
    # record TypeVar left unbound, which no class matches
    connection_class = Connection  # type: ignore[assignment]


client_class = LuukkuAsyncpgClient
