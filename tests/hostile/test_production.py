"""Production tells strangers nothing more than they need: introspection, suggestions and
GraphiQL are settings with safe production defaults; security headers on every response."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
import pytest_asyncio

from app.main import create_app
from models import settings as settings_module
from models.settings import Settings, get_settings
from tests.factories import GQL, make_customer

INTROSPECTION = "{ __schema { queryType { name } } }"


#: production refuses to start without its own key for ids (tests/hostile/test_sealed_ids.py)
PRODUCTION = {"LUUKKU_ENV": "production", "LUUKKU_ID_KEY": base64.b64encode(b"k" * 32).decode()}


def test_production_defaults_are_the_safe_ones() -> None:
    production = Settings.from_env(PRODUCTION)
    assert production.introspection == "signed-in"
    assert production.field_suggestions is False
    assert production.graphiql is False
    development = Settings.from_env({})
    assert (development.introspection, development.field_suggestions, development.graphiql) == (
        "on",
        True,
        True,
    )
    assert Settings.from_env({**PRODUCTION, "GRAPHQL_INTROSPECTION": "off"}).introspection == "off"


@pytest_asyncio.fixture
async def production(db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    settings = replace(
        get_settings(),
        environment="production",
        introspection="signed-in",
        field_suggestions=False,
        graphiql=False,
    )
    monkeypatch.setattr(settings_module, "_settings", settings)
    app = create_app(settings, manage_db=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        yield client


async def test_introspection_needs_sign_in_in_production(production: httpx.AsyncClient) -> None:
    gql = GQL(production)
    anonymous = await gql(INTROSPECTION, errors=True)
    assert anonymous["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert "data" not in anonymous or anonymous["data"] is None
    customer = await make_customer()
    signed_in = await gql(INTROSPECTION, token=customer.token)
    assert signed_in["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    # the same document, cached, is still decided per viewer
    assert "errors" in await gql(INTROSPECTION, errors=True)
    assert "errors" not in await gql("{ __typename }", errors=True)  # not introspection


async def test_no_suggestions_in_production(production: httpx.AsyncClient) -> None:
    gql = GQL(production)
    for query in [
        "{ serviceBundel { id } }",
        "{ permitTypes(filtr: {}) { totalCount } }",
        "query { inbox(filter: {statuses: [DRAFTT]}) { totalCount } }",
        "query($s: ApplicationStatus!) { __typename }",
    ]:
        result = await gql(query, errors=True)
        assert "Did you mean" not in str(result), result
    result = await gql(
        "query($s: [ApplicationStatus!]) { inbox(filter: {statuses: $s}) { totalCount } }",
        {"s": ["DRAFTT"]},
        errors=True,
    )
    assert "Did you mean" not in str(result) and "errors" in result


async def test_suggestions_stay_in_development(gql: GQL) -> None:
    result = await gql("{ serviceBundel { id } }", errors=True)
    assert "Did you mean 'serviceBundles'?" in result["errors"][0]["message"]


async def test_no_graphiql_in_production(production: httpx.AsyncClient) -> None:
    page = await production.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    assert page.headers["content-type"].startswith("application/json")


async def test_security_headers_on_the_api_and_graphiql(client: httpx.AsyncClient) -> None:
    api = await client.post("/graphql", json={"query": "{ __typename }"})
    assert api.headers["x-content-type-options"] == "nosniff"
    assert api.headers["x-frame-options"] == "DENY"
    assert api.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in api.headers["content-security-policy"]
    assert "default-src 'none'" in api.headers["content-security-policy"]
    assert "strict-transport-security" not in api.headers  # plain HTTP
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    csp = page.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
    for path in ("/healthz", "/graphiql/assets/graphiql/graphiql.min.js", "/nowhere"):
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
    too_large = await client.post("/graphql", content=b"x" * (1024 * 1024 + 1))
    assert too_large.status_code == 413 and too_large.headers["x-frame-options"] == "DENY"


async def test_hsts_over_tls_and_a_route_keeps_its_own_csp(db: str) -> None:
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    app = create_app(manage_db=False)

    async def own(request: object) -> PlainTextResponse:
        return PlainTextResponse("ui", headers={"Content-Security-Policy": "default-src 'self'"})

    app.router.routes.insert(0, Route("/ui", own))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://test"
    ) as client:
        ui = await client.get("/ui")
        assert ui.headers["content-security-policy"] == "default-src 'self'"
        assert ui.headers["strict-transport-security"].startswith("max-age=")
        assert ui.headers["x-content-type-options"] == "nosniff"


async def test_malformed_requests_get_coded_json(client: httpx.AsyncClient) -> None:
    for body in [b"{", b'{"nothing": 1}', b"[]", b'"query"']:
        response = await client.post(
            "/graphql", content=body, headers={"Content-Type": "application/json"}
        )
        assert 400 <= response.status_code < 500
        assert response.json()["errors"][0]["extensions"]["code"], response.text
