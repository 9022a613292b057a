"""The luukku command line: migrate, catalogue, people, organisations and tokens."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
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
        "HILMA@test.luukku.example",
        "--expires-days",
        "30",
    )
    assert token.stdout.startswith("lk_")
    assert "bearer token" in token.stderr and "expires 20" in token.stderr
    system = luukku(
        cli_database, "token", "create", "--authority", "helsinki-public-areas", "--label", "system"
    )
    assert system.stdout.startswith("lk_")
    assert "API-client token" in system.stderr and "helsinki-public-areas" in system.stderr

    recount = luukku(cli_database, "inbox", "recount")
    assert recount.returncode == 0, recount.stderr
    assert "inbox counts rebuilt: 0" in recount.stdout  # nothing has been submitted here

    rebuilt = luukku(cli_database, "statistics", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "statistics rebuilt from the status history: 0 cases" in rebuilt.stdout


def test_tokens_are_listed_and_revoked_by_what_the_user_has(cli_database: str) -> None:
    for args in (["migrate"], ["demo", "seed"]):
        assert luukku(cli_database, *args).returncode == 0
    email = "maija.meikalainen@demo.luukku.example"
    created = luukku(cli_database, "token", "create", "--email", email, "--label", "laptop")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("lk_") and "\n" not in token  # alone on stdout, for $(...)
    match = re.search(r"bearer token (\d+) for Maija Meikäläinen <" + email, created.stderr)
    assert match, created.stderr
    token_id = match.group(1)
    assert f"luukku token revoke {token_id}" in created.stderr

    listed = luukku(cli_database, "token", "list", "--email", email).stdout
    assert re.search(
        rf"^\s*{token_id}  Maija Meikäläinen <{email}>  label 'laptop'  active", listed, re.M
    )
    assert token not in listed  # only its hash is stored

    assert luukku(cli_database, "token", "revoke", token).returncode == 0  # by the token itself
    again = luukku(cli_database, "token", "revoke", token_id)  # and by the id shown
    assert again.returncode == 1 and "no such active token" in again.stderr
    active = luukku(cli_database, "token", "list", "--email", email).stdout
    assert not re.search(rf"^\s*{token_id} ", active, re.M)
    assert "revoked" in luukku(cli_database, "token", "list", "--email", email, "--all").stdout
    other = luukku(cli_database, "token", "create", "--email", email, "--expires-days", "3")
    assert luukku(cli_database, "token", "revoke", other.stdout.strip()[:-1] + "x").returncode == 1
    nobody = luukku(cli_database, "token", "create", "--email", "nobody@example.org")
    assert nobody.returncode != 0 and "no person with e-mail nobody@example.org" in nobody.stderr


def test_kept_mails_dead_items_and_empty_filters_say_so(cli_database: str) -> None:
    assert luukku(cli_database, "migrate").returncode == 0
    assert "the outbox is empty" in luukku(cli_database, "outbox", "list").stdout
    # the seed's two submissions and one supplement request: three mails now; reminders are
    # scheduled for later days and stay PENDING until then
    assert luukku(cli_database, "demo", "seed").returncode == 0
    env = {**os.environ, "DATABASE_URL": cli_database, "OUTBOX_POLL_MS": "100"}
    worker = subprocess.Popen([LUUKKU, "worker"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)

    def due_now(lines: list[str]) -> list[str]:
        return [line for line in lines if " PENDING " in line and "reminder" not in line]

    try:
        for _ in range(300):
            listed = luukku(cli_database, "outbox", "list").stdout
            if not due_now(listed.splitlines()):
                break
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    mails = [line for line in listed.splitlines() if " EMAIL " in line and "reminder" not in line]
    assert len(mails) == 3 and all(" KEPT " in line for line in mails), listed
    reminders = [line for line in listed.splitlines() if "reminder" in line]
    assert reminders and all(" KEPT " not in line for line in reminders), listed
    assert "to helsinki-police@demo.luukku.example" in listed
    assert "DELIVERED" not in luukku(cli_database, "outbox", "list", "--status", "KEPT").stdout
    dead = luukku(cli_database, "outbox", "list", "--status", "DEAD")
    assert dead.returncode == 0 and dead.stdout.strip() == "no DEAD outbox items"
    mails = luukku(cli_database, "mail", "--to", "police").stdout
    assert "To: helsinki-police@demo.luukku.example" in mails
    nothing = luukku(cli_database, "mail", "--to", "maija").stdout
    assert nothing.strip() == "no kept mails to addresses containing 'maija'"


def test_demo_reset_deletes_only_an_sqlite_demo_database(cli_database: str) -> None:
    assert luukku(cli_database, "demo", "seed").returncode == 0  # migrates and loads, too
    reset = luukku(cli_database, "demo", "reset")
    if cli_database.startswith("sqlite://"):
        path = Path(cli_database.removeprefix("sqlite://"))
        assert reset.returncode == 0 and f"deleted {path}" in reset.stdout
        assert not path.exists()
        again = luukku(cli_database, "demo", "seed")
        assert again.returncode == 0 and "Maija Meikäläinen" in again.stdout
    else:
        assert reset.returncode != 0 and "only deletes an SQLite demo database" in reset.stderr
        assert luukku(cli_database, "token", "list").stdout.count("demo:") >= 10  # untouched
