"""/ui: the web client's files, its SPA fallback, caching and Content-Security-Policy."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from app import web


@pytest.fixture
def dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small build in place of web/dist."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="fi"><head>'
        '<meta property="csp-nonce" content="__LUUKKU_CSP_NONCE__" />'
        '<script type="module" src="/ui/assets/index-abc123.js"></script></head>'
        '<body><div id="root"></div></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)", encoding="utf-8")
    (tmp_path / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path.parent / "secret.txt").write_text("no", encoding="utf-8")
    monkeypatch.setattr(web, "DIST", tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "path",
    [
        "/ui",
        "/ui/",
        "/ui/signin?returnTo=%2Fprojects",
        "/ui/applications/QXBwbGljYXRpb246MQ==",
        "/ui/authority/applications/QXBwbGljYXRpb246MQ==",
        "/ui/start?service=1b7f0f9e-0000-4000-8000-000000000001",
    ],
)
async def test_client_routes_get_index_with_a_fresh_nonce(
    client: httpx.AsyncClient, dist: Path, path: str
) -> None:
    """Every link of the notice mails and the PTV deep link lands on the client."""
    first, second = await client.get(path), await client.get(path)
    for response in (first, second):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"].startswith("no-cache")
        csp = response.headers["content-security-policy"]
        nonce = re.search(r"'nonce-([^']+)'", csp)
        assert nonce and f'content="{nonce.group(1)}"' in response.text
        assert "__LUUKKU_CSP_NONCE__" not in response.text
        assert "unsafe-eval" not in csp and "unsafe-inline" not in csp
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
    assert first.headers["content-security-policy"] != second.headers["content-security-policy"]


async def test_hashed_assets_are_cached_for_a_year(client: httpx.AsyncClient, dist: Path) -> None:
    response = await client.get("/ui/assets/index-abc123.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in response.headers["content-type"]
    other = await client.get("/ui/favicon.svg")
    assert other.status_code == 200 and other.headers["cache-control"] == "public, max-age=3600"


@pytest.mark.parametrize(
    "path",
    ["/ui/assets/missing.js", "/ui/assets/../../secret.txt", "/ui/assets/%2e%2e/%2e%2e/secret.txt"],
)
async def test_missing_or_outside_assets_are_404(
    client: httpx.AsyncClient, dist: Path, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert "no" != response.text


async def test_without_a_build_ui_says_how_to_build(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web, "DIST", tmp_path / "nothing")
    response = await client.get("/ui/")
    assert response.status_code == 503
    assert "make web" in response.text


async def test_cross_origin_clients_may_send_the_csrf_header(client: httpx.AsyncClient) -> None:
    """The dev server (ALLOWED_ORIGINS) sends X-Luukku-CSRF; its preflight must pass."""
    from dataclasses import replace

    from app.main import create_app
    from models.settings import get_settings

    app = create_app(
        replace(get_settings(), allowed_origins=("http://127.0.0.1:5173",)), manage_db=False
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        response = await c.options(
            "/graphql",
            headers={
                "Origin": "http://127.0.0.1:5173",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type,x-luukku-csrf",
            },
        )
    assert response.status_code == 200
    assert "x-luukku-csrf" in response.headers["access-control-allow-headers"].lower()
