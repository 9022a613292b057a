"""GraphiQL's page is a client of the browser sign-in: its requests carry the CSRF header,
its logo offers sign-in only where sign-in is configured, and its CSP still admits exactly
its inline script. (The browser itself: test_graphiql_in_chromium.py.)"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import httpx

from actions.auth.config import AuthConfig
from tests.signin.conftest import login

SIGN_IN = 'const LUUKKU_LOGIN = "/auth/login?returnTo=%2Fgraphql";'


async def _page(client: httpx.AsyncClient) -> httpx.Response:
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    return page


def _scripts_allowed(page: httpx.Response) -> None:
    scripts = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page.headers["content-security-policy"]


async def test_the_page_sends_the_csrf_header_and_offers_no_sign_in_without_config(
    client: httpx.AsyncClient,
) -> None:
    page = await _page(client)
    assert 'const defaultHeaders = {"X-Luukku-CSRF": "1"};' in page.text
    assert "const LUUKKU_LOGIN = null;" in page.text
    assert "React.createElement(GraphiQL.Logo, null, React.createElement(LuukkuLogo))" in page.text
    _scripts_allowed(page)


async def test_with_sign_in_the_logo_links_to_it_and_a_session_mutation_works(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any
) -> None:
    page = await _page(client)
    assert SIGN_IN in page.text
    _scripts_allowed(page)
    await login(client, make_user(), return_to="/graphql")
    # what the page's fetcher sends: the cookie and its default header, no Authorization
    mutation = await client.post(
        "/graphql",
        json={
            "query": "mutation { actingForSelect(input: {organisationId: null}) { __typename } }"
        },
        headers={"X-Luukku-CSRF": "1"},
    )
    assert "errors" not in mutation.json(), mutation.text
