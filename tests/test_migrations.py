"""The committed migrations match the models, and build the same schema on both databases."""

from __future__ import annotations

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector

from app.db import tortoise_config


async def test_models_have_no_changes_missing_from_migrations(db: str) -> None:
    apps = {"models": dict(tortoise_config("")["apps"]["models"])}
    detector = MigrationAutodetector(Tortoise.apps, apps)
    changes = await detector.changes()
    assert changes == [], "models changed: run makemigrations (see README, 'Changing the schema')"


@pytest.mark.postgres
async def test_indexes_exist_on_the_real_columns(db: str) -> None:
    conn = connections.get("default")
    rows = await conn.execute_query_dict(
        "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    )
    definitions = {
        r["indexdef"].split(" USING ")[1] for r in rows if r["tablename"] == "application"
    }
    assert "btree (authority_id, status, submitted_at)" in definitions
    assert "btree (project_id, id)" in definitions


@pytest.mark.postgres
async def test_pooled_connections_are_not_reset_after_every_statement(db: str) -> None:
    from app.pg_backend import LuukkuAsyncpgClient

    assert isinstance(connections.get("default"), LuukkuAsyncpgClient)


@pytest.mark.postgres
async def test_a_statement_that_never_ran_leaves_no_transaction_holding_locks(db: str) -> None:
    """asyncpg prepares with Parse, Describe and Flush (no Sync): an argument that then fails
    to encode leaves the server mid-protocol in an implicit transaction holding the table's
    lock. With the pool's reset skipped after every statement, nothing ended it until the
    pool closed the idle connection 300 s later (the test suite's `LOCK TABLE` waited so).
    The reset runs after a statement that did not complete."""
    import asyncpg
    import tortoise.exceptions

    conn = connections.get("default")
    with pytest.raises(tortoise.exceptions.OperationalError):
        await conn.execute_query('SELECT id FROM "project" WHERE id = $1', ["not a number"])
    other = await asyncpg.connect(db.split("?")[0])
    try:
        async with other.transaction():
            await other.execute('LOCK TABLE "project" IN ACCESS EXCLUSIVE MODE NOWAIT')
    finally:
        await other.close()
    # and the connection is usable as before
    assert await conn.execute_query_dict("SELECT 1 AS one") == [{"one": 1}]


@pytest.mark.postgres
async def test_pooled_connections_go_to_those_who_asked_first(db: str) -> None:
    """asyncpg's pool queue lets a request that asks just after a release take the
    connection from the waiter it woke, who queues again at the end: under load some
    requests waited seconds (app/pg_backend.py `FairPool`). Three times as many users as
    connections, each asking again at once: every connection goes to the earliest ask."""
    import asyncio
    import itertools

    pool = connections.get("default")._pool  # type: ignore[attr-defined]
    size = pool.get_max_size()
    held = [await pool.acquire() for _ in range(size)]  # every connection opened first
    for conn in held:
        await pool.release(conn)
    asks = itertools.count()
    granted: list[int] = []

    async def user() -> None:
        for _ in range(20):
            ticket = next(asks)
            conn = await pool.acquire()
            granted.append(ticket)
            try:
                await conn.fetchval("SELECT 1")
            finally:
                await pool.release(conn)

    await asyncio.gather(*(user() for _ in range(3 * size)))
    overtaken = sum(1 for a, b in itertools.pairwise(granted) if b < a)
    assert overtaken == 0, f"{overtaken} of {len(granted)} asks were served before an earlier one"
