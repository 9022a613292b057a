"""`luukku demo` (what `make demo` runs) really serves the API, with printed tokens that work."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio

from tests import db as test_db
from tests.factories import example_for
from tests.flows import event_journey
from tests.servers import running


@pytest_asyncio.fixture
async def demo_database(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database for the demo process: an SQLite file, or a new PostgreSQL database."""
    server = test_db.test_server()
    if not test_db.is_postgres():
        yield f"sqlite://{tmp_path / 'demo.sqlite3'}"
        return
    url = await test_db.create_database(server)
    try:
        yield url
    finally:
        await test_db.drop_database(server, url)


async def test_demo_serves_graphql_with_working_tokens(demo_database: str) -> None:
    with running(["demo"], {"DATABASE_URL": demo_database}) as server:
        tokens = dict(re.findall(r"^  (.+?)  \[.*\]\n    (lk_\S+)$", server.output, re.MULTILINE))
        assert {"Maija Meikäläinen", "Ville Virtanen", "Sanna Saarinen"} <= set(tokens)
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            page = await client.get("/graphql", headers={"Accept": "text/html"})
            assert (
                page.status_code == 200 and "/graphiql/assets/graphiql/graphiql.min.js" in page.text
            )

            async def send(query: str, variables: dict[str, Any]) -> dict[str, Any]:
                response = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {tokens['Maija Meikäläinen']}"},
                )
                body: dict[str, Any] = response.json()
                assert "errors" not in body, body
                return body

            result = await event_journey(send, example_for)
            assert result["submitted"]["status"] == "NOT_STARTED"
