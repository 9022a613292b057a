"""Raw SQL that runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable

from tortoise.backends.base.client import BaseDBAsyncClient


def param(conn: BaseDBAsyncClient) -> Callable[[int], str]:
    """The n-th (1-based) query parameter in the connection's dialect: `$n` or `?`."""
    if conn.capabilities.dialect == "postgres":
        return lambda n: f"${n}"
    return lambda n: "?"
