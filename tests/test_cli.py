"""The luukku command line: migrate, catalogue, people, organisations and tokens."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from tests import db as test_db
from tests.servers import LUUKKU, ROOT


@pytest_asyncio.fixture
async def cli_database(tmp_path: Path) -> AsyncIterator[str]:
    async with test_db.process_database(tmp_path, "cli") as url:
        yield url


def luukku(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LUUKKU, *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_cli_sets_up_people_and_tokens(cli_database: str) -> None:
    first = luukku(cli_database, "migrate")
    assert first.returncode == 0 and "models.0001_core" in first.stdout, first.stderr
    assert "up to date" in luukku(cli_database, "migrate").stdout
    loaded = luukku(cli_database, "catalogue", "load")
    assert "permit_types" in loaded.stdout, loaded.stderr

    bad = luukku(
        cli_database,
        "org",
        "create",
        "--kind",
        "COMPANY",
        "--name",
        "Virhe Oy",
        "--business-id",
        "1234567-2",
    )
    assert bad.returncode == 2 and "Business ID 1234567-2 is not valid" in bad.stderr
    org = luukku(
        cli_database,
        "org",
        "create",
        "--kind",
        "COMPANY",
        "--name",
        "Oikea Oy",
        "--business-id",
        "1234567-1",
    )
    assert org.returncode == 0, org.stderr

    user = luukku(
        cli_database,
        "user",
        "create",
        "--name",
        "Reija Rep",
        "--email",
        "reija@test.luukku.example",
        "--role",
        "CUSTOMER_REPRESENTATIVE",
        "--business-id",
        "1234567-1",
        "--token",
    )
    assert user.returncode == 0, user.stderr
    assert "token: lk_" in user.stdout
    duplicate = luukku(
        cli_database, "user", "create", "--name", "X", "--email", "REIJA@test.luukku.example"
    )
    assert duplicate.returncode == 2

    handler = luukku(
        cli_database,
        "user",
        "create",
        "--name",
        "Hilma Handler",
        "--email",
        "hilma@test.luukku.example",
        "--role",
        "AUTHORITY_HANDLER",
        "--authority",
        "helsinki-police",
    )
    assert handler.returncode == 0, handler.stderr
    token = luukku(
        cli_database,
        "token",
        "create",
        "--email",
        "hilma@test.luukku.example",
        "--expires-days",
        "30",
    )
    assert token.stdout.startswith("lk_")
    system = luukku(
        cli_database, "token", "create", "--authority", "helsinki-public-areas", "--label", "system"
    )
    assert system.stdout.startswith("lk_")

    recount = luukku(cli_database, "inbox", "recount")
    assert recount.returncode == 0, recount.stderr
    assert "inbox counts rebuilt: 0" in recount.stdout  # nothing has been submitted here

    rebuilt = luukku(cli_database, "statistics", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "statistics rebuilt from the status history: 0 cases" in rebuilt.stdout
