"""A real OpenID Connect issuer for the sign-in tests: Canaille, run by pytest-iam in a
thread of the test process, with Luukku registered as a confidential client."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pytest_iam import Server

from actions.auth import oidc
from actions.auth.config import AuthConfig, override_auth_config, parse
from models.settings import get_settings
from tests.signin.browser import sign_in_at_issuer

CLIENT_ID = "luukku-test"
CLIENT_SECRET = "luukku-test-secret"
API_AUDIENCE = "luukku-api"
SYSTEM_CLIENT = "areas-system"


def public(path: str) -> str:
    return get_settings().public_base_url + path


@pytest.fixture(scope="session")
def issuer(iam_server: Server) -> str:
    return iam_server.url.rstrip("/")


@pytest.fixture
def clients(iam_server: Server) -> Iterator[dict[str, Any]]:
    """Luukku's browser client, an API audience and an authority system's client."""
    models, backend = iam_server.models, iam_server.backend
    common: dict[str, Any] = {
        "token_endpoint_auth_method": "client_secret_basic",
        "id_token_signed_response_alg": "RS256",
        "response_types": ["code"],
        "client_uri": "http://127.0.0.1:8000",
    }
    rp = models.Client(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_name="Luukku (tests)",
        redirect_uris=[public("/auth/callback")],
        post_logout_redirect_uris=[public("/auth/logged-out")],
        grant_types=["authorization_code", "refresh_token"],
        scope=["openid", "profile", "email", "groups"],
        **common,
    )
    api = models.Client(
        client_id=API_AUDIENCE,
        client_secret=uuid.uuid4().hex,
        client_name="Luukku API",
        redirect_uris=[public("/unused")],
        grant_types=["client_credentials"],
        scope=["openid"],
        **common,
    )
    system = models.Client(
        client_id=SYSTEM_CLIENT,
        client_secret="areas-system-secret",
        client_name="Public areas system",
        redirect_uris=[public("/unused")],
        grant_types=["password"],
        scope=["openid", "profile"],
        **common,
    )
    for c in (rp, api, system):
        backend.save(c)
    rp.audience = [rp]
    api.audience = [api]
    system.audience = [api]
    for c in (rp, api, system):
        backend.save(c)
    yield {"rp": rp, "api": api, "system": system}
    for c in (rp, api, system):
        backend.delete(c)


def config_for(issuer: str, **provider: Any) -> AuthConfig:
    return parse(
        {
            "providers": [
                {
                    "name": "test",
                    "issuer": issuer,
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "scopes": ["openid", "profile", "email", "groups"],
                    "memberships": [
                        {
                            "claim": "groups",
                            "value": "police-handlers",
                            "authority": "helsinki-police",
                            "role": "AUTHORITY_HANDLER",
                        }
                    ],
                    **provider,
                }
            ],
            "api_issuers": [
                {
                    "issuer": issuer,
                    "audience": API_AUDIENCE,
                    "systems": [
                        {
                            "claim": "sub",
                            "value": "areas-robot",
                            "authority": "helsinki-public-areas",
                        }
                    ],
                }
            ],
        },
        env={},
    )


@pytest_asyncio.fixture
async def auth_config(issuer: str, clients: dict[str, Any], db: str) -> AsyncIterator[AuthConfig]:
    config = config_for(issuer)
    override_auth_config(config)
    oidc.discovery.clear()
    oidc.jwks_cache.clear()
    try:
        yield config
    finally:
        override_auth_config(None)


@dataclass
class User:
    username: str
    password: str
    name: str
    model: Any


@pytest.fixture
def make_user(iam_server: Server) -> Iterator[Any]:
    made: list[Any] = []

    def make(
        given: str = "Maija", family: str = "Meikäläinen", groups: list[str] | None = None
    ) -> User:
        username = f"{given.lower()}-{uuid.uuid4().hex[:6]}"
        password = f"{username}-pass-123"
        user = iam_server.models.User(
            user_name=username,
            given_name=given,
            family_name=family,
            formatted_name=f"{given} {family}",
            emails=[f"{username}@example.test"],
        )
        iam_server.backend.save(user)
        iam_server.backend.set_user_password(user, password)
        made.append(user)
        for name in groups or []:
            group = iam_server.models.Group(display_name=name, members=[user])
            iam_server.backend.save(group)
            made.append(group)
        return User(username, password, f"{given} {family}", user)

    yield make
    iam_server.logout()
    for item in reversed(made):
        iam_server.backend.delete(item)


async def start_login(client: httpx.AsyncClient, return_to: str = "/ui/projects") -> str:
    response = await client.get("/auth/login", params={"returnTo": return_to})
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def at_issuer(authorize_url: str, user: User) -> str:
    """The browser signs in on the issuer's real pages; the callback path it is sent back to."""
    async with httpx.AsyncClient(timeout=10) as browser:
        url = await sign_in_at_issuer(
            browser, authorize_url, user.username, user.password, public("/auth/callback")
        )
    return url.removeprefix(get_settings().public_base_url)


async def login(
    client: httpx.AsyncClient, user: User, return_to: str = "/ui/projects"
) -> httpx.Response:
    return await client.get(await at_issuer(await start_login(client, return_to), user))
