"""Database wiring: the Tortoise configuration, start-up, shutdown and migrations."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.executor import MigrationExecutor

MODELS_MODULES = ["models"]
MIGRATIONS_MODULE = "migrations"


def connection_config(database_url: str) -> str | dict[str, Any]:
    """PostgreSQL URLs use app/pg_backend.py (no pool reset per statement)."""
    if not database_url.startswith(("postgres://", "asyncpg://")):
        return database_url
    config = expand_db_url(database_url)
    config["engine"] = "app.pg_backend"
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise config for a database URL (sqlite://path or postgres://...)."""
    return {
        "connections": {"default": connection_config(database_url) if database_url else ""},
        "apps": {
            "models": {
                "models": MODELS_MODULES,
                "migrations": MIGRATIONS_MODULE,
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(database_url: str, *, create_db: bool = False) -> None:
    """Connect Tortoise for this process (global, so every task of the process sees it)."""
    await Tortoise.init(
        config=tortoise_config(database_url), _create_db=create_db, _enable_global_fallback=True
    )


async def ensure_database(database_url: str) -> bool:
    """Create the PostgreSQL database of the URL if it does not exist; True if created."""
    if not database_url.startswith(("postgres://", "asyncpg://")):
        return False
    import asyncpg

    parsed = urlsplit(database_url)
    name = unquote(parsed.path.lstrip("/"))
    admin = urlunsplit(("postgresql", parsed.netloc, "/postgres", "", ""))
    conn = await asyncpg.connect(admin)
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        await conn.execute(f'CREATE DATABASE "{name.replace(chr(34), "")}"')
        return True
    finally:
        await conn.close()


async def close_db() -> None:
    """Close the connections and release the process-wide Tortoise context."""
    await Tortoise.close_connections()


async def migrate() -> list[str]:
    """Apply every pending migration; returns the names applied."""
    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    connection = connections.get("default")
    executor = MigrationExecutor(connection, {"models": tortoise_config("")["apps"]["models"]})
    await executor.migrate(progress=progress)
    return applied
