"""Test databases: one per pytest session, migrated and loaded with the demo catalogue.

LUUKKU_TEST_DATABASE picks the server: unset or "sqlite" for an in-memory SQLite, or a
PostgreSQL server URL such as postgres://postgres@127.0.0.1:5432 (a fresh database
luukku_test_<random> is created on it and dropped at the end).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import asyncpg
from tortoise import connections
from tortoise.transactions import in_transaction

from app.db import close_db, init_db, migrate

CATALOGUE_TABLES = {
    "municipality",
    "service_bundle",
    "permit_kind",
    "permit_type",
    "catalogue_document",
}


def test_server() -> str:
    return os.environ.get("LUUKKU_TEST_DATABASE", "sqlite")


def is_postgres() -> bool:
    return test_server().startswith("postgres")


def _admin_dsn(server: str) -> str:
    return "postgresql://" + server.split("://", 1)[1].rstrip("/") + "/postgres"


async def create_database(server: str) -> str:
    """A new empty database URL on `server` (or an in-memory SQLite)."""
    if not server.startswith("postgres"):
        return "sqlite://:memory:"
    name = f"luukku_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(_admin_dsn(server))
    try:
        await _drop_orphans(conn)
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return server.rstrip("/") + f"/{name}?minsize=1&maxsize=10"


async def _drop_orphans(conn: asyncpg.Connection) -> None:
    """Drop test databases left by runs that were killed (their process no longer exists)."""
    for row in await conn.fetch(
        "SELECT datname FROM pg_database WHERE datname LIKE 'luukku_test_%'"
    ):
        parts = row["datname"].split("_")
        if len(parts) == 4 and parts[2].isdigit() and not _alive(int(parts[2])):
            await conn.execute(f'DROP DATABASE IF EXISTS "{row["datname"]}" WITH (FORCE)')


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def drop_database(server: str, url: str) -> None:
    if not server.startswith("postgres"):
        return
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    conn = await asyncpg.connect(_admin_dsn(server))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def process_database(tmp_path: Path, name: str) -> AsyncIterator[str]:
    """A fresh, empty database for a separate `luukku` process: the SQLite file
    `<tmp_path>/<name>.sqlite3`, or a new PostgreSQL database (its URL without pool
    options, so that asyncpg can connect to it too), dropped afterwards."""
    server = test_server()
    if not is_postgres():
        yield f"sqlite://{tmp_path / f'{name}.sqlite3'}"
        return
    url = (await create_database(server)).split("?")[0]
    try:
        yield url
    finally:
        await drop_database(server, url)


async def start(url: str) -> None:
    from actions.catalogue import load_catalogue

    await init_db(url)
    await migrate()
    await load_catalogue()


async def stop() -> None:
    await close_db()


def _data_tables() -> list[str]:
    """Every table except the catalogue's, children before parents."""
    import models as model_module

    classes = [getattr(model_module, name) for name in model_module.__all__]
    tables = {m._meta.db_table: m for m in classes}
    order: list[str] = []

    def visit(table: str, seen: set[str]) -> None:
        if table in order or table in seen:
            return
        seen.add(table)
        for other, model in tables.items():
            for fk in model._meta.fk_fields | model._meta.o2o_fields:
                target = model._meta.fields_map[fk].related_model._meta.db_table
                if target == table and other != table:
                    visit(other, seen)
        order.append(table)

    for table in sorted(tables):
        visit(table, set())
    return [t for t in order if t not in CATALOGUE_TABLES]


async def reset() -> None:
    """Empty every table but the catalogue (authorities stay; other organisations go)."""
    conn = connections.get("default")
    tables = _data_tables()
    statements: Iterable[str] = [
        f'DELETE FROM "{t}"'
        if t != "organisation"
        else "DELETE FROM \"organisation\" WHERE kind <> 'AUTHORITY'"
        for t in tables
    ]
    if conn.capabilities.dialect == "postgres":
        # One transaction that first locks every table: a task a previous test left running
        # (an outbox round, a live re-check) cannot insert a child between two DELETEs.
        tables_sql = ", ".join(f'"{t}"' for t in tables)
        async with in_transaction() as tx:
            await tx.execute_script(f"LOCK TABLE {tables_sql} IN ACCESS EXCLUSIVE MODE")
            for statement in statements:
                await tx.execute_script(statement)
    else:
        for statement in statements:
            await conn.execute_script(statement)
    from actions import statistics

    statistics.invalidate()  # the figures this process read from the emptied tables
