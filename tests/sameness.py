"""Proof of sameness: every request both ways, as deployed and as Strawberry alone would.

`BothWays` is a drop-in `GQL`: the permission matrix and the journeys get it as their `gql`
fixture (tests/permissions/conftest.py, tests/journeys/conftest.py), so every query they
send, however the matrix changes, runs on the app as deployed (the compiled executor,
schema/executor, with planned loading at the project roots, resolvers/planned.py) and then
on an app whose schema executes with graphql-core and reads everything through the loaders
(LUUKKU_EXECUTOR=graphql-core, LUUKKU_PLANNER=off), and the two must give identical responses
(status, data, and errors with message, locations, path and extensions, in order) and
identical audit rows. The reference run's audit rows are deleted afterwards, so the test
sees the database as if the request had been sent once. The test gets the deployed
response. `BothWays(..., also=...)` compares with one more app (tests/executor: the compiled
executor without the planner, so that a difference is pinned on the planner alone).

Mutations are sent once: both executors leave them to graphql-core, and running a change
twice would not compare like with like.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest_asyncio
from graphql import OperationType, parse
from graphql.language import OperationDefinitionNode
from starlette.routing import Route, WebSocketRoute

from actions import attachment_links
from app.main import create_app
from models import AuditEntry
from schema.executor import stats
from schema.root import build_schema
from tests.factories import GQL


@functools.cache
def reference_schema() -> Any:
    """The schema executed by graphql-core over the loaders (built once per test session)."""
    return build_schema(executor="graphql-core", planner=False)


@functools.cache
def unplanned_schema() -> Any:
    """The compiled executor over the loaders, without the planner."""
    return build_schema(executor="compiled", planner=False)


def _operation(query: str) -> OperationDefinitionNode | None:
    try:
        document = parse(query)
    except Exception:  # the server answers a syntax error; both must answer it alike
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return operations[0] if len(operations) == 1 else None


def _introspects(query: str) -> bool:
    return "__schema" in query or "__type" in query


async def audit_rows(after: int) -> list[dict[str, Any]]:
    rows = await AuditEntry.filter(id__gt=after).order_by("id").values()
    return [{k: v for k, v in row.items() if k not in ("id", "created_at")} for row in rows]


async def last_audit_id() -> int:
    last = await AuditEntry.all().order_by("-id").first()
    return 0 if last is None else last.id


class BothWays(GQL):
    """Sends each query to the deployed app and to the reference app (and to `also`); all
    must agree."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        reference: httpx.AsyncClient,
        also: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__(client)
        self.references = [reference] if also is None else [reference, also]
        self.compared = 0  # queries sent both ways
        self.audited = 0  # audit rows they wrote (each way)

    async def _send(
        self, client: httpx.AsyncClient, query: str, variables: Any, headers: dict[str, str]
    ) -> httpx.Response:
        return await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        errors: bool = False,
    ) -> dict[str, Any]:
        operation = _operation(query)
        if operation is not None and operation.operation is OperationType.MUTATION:
            return await super().__call__(
                query, variables, token=token, headers=headers, errors=errors
            )
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        before = await last_audit_id()
        compiled_runs = stats.compiled
        now = time.time()
        attachment_links.clock = lambda: now  # signed links expire alike in every answer
        try:
            compiled = await self._send(self.client, query, variables, sent)
            ran_compiled = stats.compiled > compiled_runs
            middle = await last_audit_id()
            compiled_audit = await audit_rows(before)
            for reference_client in self.references:
                reference = await self._send(reference_client, query, variables, sent)
                reference_audit = await audit_rows(middle)
                await AuditEntry.filter(id__gt=middle).delete()
                assert compiled.status_code < 500, compiled.text
                assert (compiled.status_code, compiled.content) == (
                    reference.status_code,
                    reference.content,
                ), (
                    f"deployed and reference answer differently to\n{query}\n{variables}\n"
                    f"deployed:  {compiled.status_code} {compiled.text}\n"
                    f"reference: {reference.status_code} {reference.text}"
                )
                assert compiled_audit == reference_audit, (
                    f"deployed and reference audit differently:\n{compiled_audit}\n"
                    f"{reference_audit}"
                )
        finally:
            attachment_links.clock = time.time
        body: dict[str, Any] = compiled.json()
        if body.get("data") is not None and not _introspects(query):
            assert ran_compiled, f"the compiled executor did not run\n{query}"
        self.compared += 1
        self.audited += len(compiled_audit)
        if not errors:
            assert "errors" not in body, body
        return body


def both_apps() -> Any:
    """The app as deployed, also serving graphql-core's schema on /graphql-core (HTTP and
    WebSocket): one app, so that a test can follow live events both ways over one client."""
    app = create_app(manage_db=False)
    reference = create_app(manage_db=False, graphql_schema=reference_schema())
    for route in reference.routes:
        if isinstance(route, Route | WebSocketRoute) and route.path == "/graphql":
            kind = type(route)
            if kind is Route:
                app.router.routes.append(Route("/graphql-core", route.endpoint, methods=["POST"]))
            else:
                app.router.routes.append(WebSocketRoute("/graphql-core", route.endpoint))
    return app


@asynccontextmanager
async def _client_of(graphql_schema: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(manage_db=False, graphql_schema=graphql_schema)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as c:
        yield c


@pytest_asyncio.fixture
async def reference_client(db: str) -> AsyncIterator[httpx.AsyncClient]:
    async with _client_of(reference_schema()) as c:
        yield c


@pytest_asyncio.fixture
async def unplanned_client(db: str) -> AsyncIterator[httpx.AsyncClient]:
    async with _client_of(unplanned_schema()) as c:
        yield c


@pytest_asyncio.fixture
async def both_ways(client: httpx.AsyncClient, reference_client: httpx.AsyncClient) -> BothWays:
    return BothWays(client, reference_client)
