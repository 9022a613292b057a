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
