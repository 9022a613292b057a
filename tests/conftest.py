"""Fixtures: the database (SQLite or PostgreSQL), the app, a GraphQL client, factories."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

# Tests ask for whole pages again and again from one address: the cost budget is off here
# (tests/hostile/test_throttle.py turns it on with its own settings). Set before the app's
# settings are read.
os.environ.setdefault("THROTTLE_COST", "0")

import httpx
import pytest
import pytest_asyncio
import tortoise.exceptions

from actions.storage import LocalStorage, PostgresStorage, set_storage
from app.main import create_app, start_services, stop_services
from app.throttle import throttle
from models.settings import get_settings
from tests import db as test_db
from tests.factories import GQL

REQUIRE_ALL = os.environ.get("LUUKKU_TEST_NO_SKIP") == "1"


def pytest_report_header(config: pytest.Config) -> str:
    return f"luukku test database: {test_db.test_server()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`postgres` tests need the PostgreSQL suite (the SQLite run deselects them)."""
    if test_db.is_postgres():
        return
    skip = pytest.mark.skip(reason="needs LUUKKU_TEST_DATABASE=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    """With LUUKKU_TEST_NO_SKIP=1 (CI), a skipped test is a failed test."""
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, but LUUKKU_TEST_NO_SKIP=1 forbids skips: {report.longrepr}"


@pytest.fixture(autouse=True)
def no_orm_validation_error_reaches_a_resolver(
    caplog: pytest.LogCaptureFixture,
) -> Iterator[None]:
    """Input is validated at the API edge: the ORM's own field validation failing under a
    resolver (a value too long for its column...) is a bug in any test that provokes it."""
    yield
    leaked = orm_validation_errors(caplog.get_records("call"))
    assert not leaked, f"an ORM validation error reached a resolver: {leaked[0]}"


def orm_validation_errors(records: list[logging.LogRecord]) -> list[BaseException]:
    """The ORM validation errors that the API logged as bugs."""
    return [
        record.exc_info[1]
        for record in records
        if record.name == "luukku.graphql"
        and record.exc_info
        and isinstance(record.exc_info[1], tortoise.exceptions.ValidationError)
    ]


@pytest_asyncio.fixture(scope="session")
async def database() -> AsyncIterator[str]:
    """One migrated database with the demo catalogue for the whole session."""
    server = test_db.test_server()
    url = await test_db.create_database(server)
    folder = tempfile.mkdtemp(prefix="luukku-attachments-")
    # the attachment store: PostgreSQL large objects in the PostgreSQL suite, a folder otherwise
    set_storage(PostgresStorage(url) if test_db.is_postgres() else LocalStorage(folder))
    try:
        await test_db.start(url)
        # no in-process outbox worker: outbox tests run one explicitly
        await start_services(replace(get_settings(), outbox_in_process=False))
        yield url
    finally:
        await stop_services()
        await test_db.stop()
        await test_db.drop_database(server, url)
        shutil.rmtree(folder, ignore_errors=True)


@pytest_asyncio.fixture
async def db(database: str) -> AsyncIterator[str]:
    """A clean database (catalogue kept) for one test."""
    await test_db.reset()
    throttle.forget()  # its counts were in the database just emptied
    yield database


@pytest_asyncio.fixture
async def client(db: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(manage_db=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


@pytest_asyncio.fixture
async def gql(client: httpx.AsyncClient) -> GQL:
    return GQL(client)
