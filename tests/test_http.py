"""The HTTP surface: GraphiQL offline, limits, caches, and no 500 for any malformed request."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from app.graphiql import ALLOWED, assets_installed
from models.settings import get_settings
from schema import checks
from tests.factories import GQL, gid, make_customer, make_project


async def test_graphiql_page_loads_nothing_from_the_internet(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    urls = [
        u for u in re.findall(r'(?:src|href)="([^"]+)"', page.text) if not u.startswith("data:")
    ]
    assert urls and all(u.startswith("/graphiql/assets/") for u in urls), urls
    assert "unpkg.com" not in page.text
    assert assets_installed(), "run `make graphiql`"
    integrity = dict(
        re.findall(r'(?:src|href)="(/graphiql/[^"]+)"\s+integrity="([^"]+)"', page.text)
    )
    assert set(integrity) == set(urls)
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        digest = base64.b64encode(hashlib.sha384(asset.content).digest()).decode()
        assert integrity[url] == f"sha384-{digest}", url  # the very files unpkg.com would serve
    assert (await client.get("/graphiql/assets/react/package.json")).status_code == 404
    assert len(urls) == len(ALLOWED)


async def test_parsing_and_validation_are_cached(gql: GQL) -> None:
    query = "{ serviceBundles { code } }"
    await gql(query)
    hits = checks._cached.cache_info().hits
    await gql(query)
    assert checks._cached.cache_info().hits == hits + 2  # parse and validate: one lookup each


async def test_depth_alias_and_token_limits(gql: GQL) -> None:
    settings = get_settings()
    deep = "{ viewer { person { name } } }"
    for _ in range(settings.max_query_depth):
        deep = deep.replace("name", "... on Person { name }")  # fragments do not add depth
    assert "errors" not in await gql(deep, errors=True)
    nested = (
        'query { project(id: "x") { '
        + "applications { nodes { project { " * 5
        + "name"
        + " } } }" * 5
        + " } }"
    )
    result = await gql(nested, errors=True)
    assert result["errors"][0]["extensions"]["code"] == "MAX_DEPTH_EXCEEDED"
    aliases = (
        "{ "
        + " ".join(f"a{i}: viewer {{ isAuthenticated }}" for i in range(settings.max_aliases + 1))
        + " }"
    )
    result = await gql(aliases, errors=True)
    assert result["errors"][0]["extensions"]["code"] == "MAX_ALIASES_EXCEEDED"
    tokens = (
        "{ "
        + " ".join("viewer { isAuthenticated }" for _ in range(settings.max_tokens // 4))
        + " }"
    )
    result = await gql(tokens, errors=True)
    assert result["errors"][0]["extensions"]["code"] == "MAX_TOKENS_EXCEEDED"


MALFORMED = [
    ("POST", b"", "application/json"),
    ("POST", b"{", "application/json"),
    ("POST", b"[]", "application/json"),
    ("POST", b"null", "application/json"),
    ("POST", b'"query"', "application/json"),
    ("POST", b'{"query": 5}', "application/json"),
    ("POST", b'{"query": "{ viewer {"}', "application/json"),
    ("POST", b'{"query": "{ nope }"}', "application/json"),
    ("POST", b'{"query": "{ viewer { isAuthenticated } }", "variables": 5}', "application/json"),
    ("POST", b'{"query": "{ viewer { isAuthenticated } }", "variables": [1]}', "application/json"),
    (
        "POST",
        b'{"query": "{ viewer { isAuthenticated } }", "operationName": 7}',
        "application/json",
    ),
    (
        "POST",
        b'{"query": "query A { viewer { isAuthenticated } } query B { viewer { isAuthenticated } }"}',
        "application/json",
    ),
    (
        "POST",
        b'{"query": "mutation { projectCreate(input: {}) { userErrors { code } } }"}',
        "application/json",
    ),
    (
        "POST",
        b'{"query": "query($id: ID!) { project(id: $id) { id } }", "variables": {"id": 5}}',
        "application/json",
    ),
    (
        "POST",
        b'{"query": "query($id: ID!) { project(id: $id) { id } }", "variables": {"id": null}}',
        "application/json",
    ),
    (
        "POST",
        b'{"query": "query($f: Int) { projects(first: $f) { totalCount } }", "variables": {"f": 1e40}}',
        "application/json",
    ),
    ("POST", b'{"query": "{ permitTypes(first: -1) { totalCount } }"}', "application/json"),
    ("POST", b'{"query": "{ node(id: \\"\\u0000\\") { id } }"}', "application/json"),
    ("POST", b"\xff\xfe\x00garbage", "application/json"),
    ("POST", b"query=%7B%7D", "application/x-www-form-urlencoded"),
    ("POST", b"{ viewer { isAuthenticated } }", "text/plain"),
    (
        "POST",
        b'--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{\r\n--x--',
        "multipart/form-data; boundary=x",
    ),
    ("GET", b"", ""),
    ("PUT", b"{}", "application/json"),
    ("DELETE", b"", ""),
]


@pytest.mark.parametrize(("method", "body", "content_type"), MALFORMED)
async def test_malformed_requests_never_cause_a_500(
    client: httpx.AsyncClient, method: str, body: bytes, content_type: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.request(method, "/graphql", content=body, headers=headers)
    assert response.status_code < 500, response.text


async def test_malformed_ids_in_queries_give_null(gql: GQL) -> None:
    customer = await make_customer()
    await make_project(customer)
    for bad in [
        "",
        "x",
        "UHJvamVjdDo=",
        gid("Project", 0),
        gid("Project", 2**31),
        gid("Nope", 1),
        "\u0000" * 50,
    ]:
        result = await gql(
            "query($id: ID!) { project(id: $id) { id } application(id: $id) { id } node(id: $id) { id } }",
            {"id": bad},
            token=customer.token,
        )
        assert result["data"] == {"project": None, "application": None, "node": None}


async def test_oversized_body_gets_413(client: httpx.AsyncClient) -> None:
    big = b'{"query": "{ viewer { isAuthenticated } }", "x": "' + b"a" * (1024 * 1024 + 10) + b'"}'
    response = await client.post(
        "/graphql", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_bugs_are_masked_outside_development_and_logged(
    gql: GQL, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from dataclasses import replace

    from models import settings as settings_module
    from resolvers.catalogue import queries

    def broken() -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(queries.BundleModel, "all", broken)
    monkeypatch.setattr(
        settings_module, "_settings", replace(get_settings(), environment="production")
    )
    result = await gql("{ serviceBundles { code } }", errors=True)
    error = result["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["message"] == "Unexpected error."
    assert "secret" not in str(result)
    assert any("secret internal detail" in str(r.exc_info) for r in caplog.records if r.exc_info)


async def test_cors_only_for_configured_origins(db: str) -> None:
    from dataclasses import replace

    from app.main import create_app

    app = create_app(
        replace(get_settings(), allowed_origins=("https://ui.luukku.example",)), manage_db=False
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        preflight = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        }
        allowed = await client.options(
            "/graphql", headers={"Origin": "https://ui.luukku.example", **preflight}
        )
        assert allowed.headers["access-control-allow-origin"] == "https://ui.luukku.example"
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        other = await client.options(
            "/graphql", headers={"Origin": "https://evil.example", **preflight}
        )
        assert "access-control-allow-origin" not in other.headers
        post = await client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"Origin": "https://ui.luukku.example"},
        )
        assert post.headers["access-control-allow-origin"] == "https://ui.luukku.example"
