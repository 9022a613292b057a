"""Systems call the API with JWT access tokens from a configured issuer; key rotation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from joserfc.jwk import JWKRegistry

from actions.auth import oidc
from actions.auth.config import AuthConfig
from app.context import viewer_cache
from tests.signin.conftest import SYSTEM_CLIENT

VIEWER = "{ viewer { isAuthenticated authoritySystem { code } person { name } } }"


@pytest.fixture
def robot(iam_server: Any) -> Iterator[tuple[str, str]]:
    user = iam_server.models.User(user_name="areas-robot", given_name="Robot", family_name="Areas")
    iam_server.backend.save(user)
    iam_server.backend.set_user_password(user, "robot-pass-123")
    yield "areas-robot", "robot-pass-123"
    iam_server.backend.delete(user)


async def access_token(
    issuer: str, username: str, password: str, client: str = SYSTEM_CLIENT
) -> str:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            issuer + "/oauth/token",
            data={
                "grant_type": "password",
                "username": username,
                "password": password,
                "scope": "openid profile",
            },
            auth=(client, "areas-system-secret"),
        )
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert oidc.looks_like_jwt(token)
    return str(token)


async def call(client: httpx.AsyncClient, token: str) -> httpx.Response:
    viewer_cache.clear()
    return await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
    )


async def test_a_system_calls_the_api_with_a_jwt_from_the_issuer(
    client: httpx.AsyncClient, auth_config: AuthConfig, robot: tuple[str, str], issuer: str
) -> None:
    token = await access_token(issuer, *robot)
    viewer = (await call(client, token)).json()["data"]["viewer"]
    assert viewer == {
        "isAuthenticated": True,
        "authoritySystem": {"code": "helsinki-public-areas"},
        "person": None,
    }


async def test_a_jwt_for_another_audience_or_tampered_gets_401(
    client: httpx.AsyncClient,
    auth_config: AuthConfig,
    robot: tuple[str, str],
    issuer: str,
    clients: dict[str, Any],
    iam_server: Any,
) -> None:
    token = await access_token(issuer, *robot)
    header, payload, signature = token.split(".")
    forged = ".".join(
        [header, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"), signature]
    )
    assert (await call(client, forged)).status_code == 401
    unsigned = ".".join([oidc.b64url(b'{"alg":"none","typ":"JWT"}'), payload, ""])
    assert (await call(client, unsigned)).status_code == 401
    clients["system"].audience = [clients["system"]]  # tokens now for the system itself
    iam_server.backend.save(clients["system"])
    other = await access_token(issuer, *robot)
    response = await call(client, other)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_jwt_matching_no_system_rule_gets_401(
    client: httpx.AsyncClient, auth_config: AuthConfig, issuer: str, make_user: Any
) -> None:
    person = make_user()
    token = await access_token(issuer, person.username, person.password)
    assert (await call(client, token)).status_code == 401


async def test_key_rotation_old_key_valid_until_it_leaves_the_jwks(
    client: httpx.AsyncClient,
    auth_config: AuthConfig,
    robot: tuple[str, str],
    issuer: str,
    iam_server: Any,
) -> None:
    config = iam_server.app.config["CANAILLE_OIDC"]
    active, inactive = list(config["ACTIVE_JWKS"]), list(config.get("INACTIVE_JWKS") or [])
    old_token = await access_token(issuer, *robot)
    assert (await call(client, old_token)).status_code == 200
    new_key = JWKRegistry.generate_key("RSA", 2048)
    new_key.ensure_kid()
    try:
        config["ACTIVE_JWKS"], config["INACTIVE_JWKS"] = [new_key.as_dict(private=True)], active
        new_token = await access_token(issuer, *robot)
        oidc.jwks_cache.min_refetch = 0  # (the refetch interval has passed since the last fetch)
        fetches = sum(oidc.jwks_cache.fetches.values())
        assert (await call(client, new_token)).status_code == 200  # unknown kid: one refetch
        assert sum(oidc.jwks_cache.fetches.values()) == fetches + 1
        assert (await call(client, old_token)).status_code == 200  # still published
        config["INACTIVE_JWKS"] = []  # the old key leaves the JWKS
        oidc.jwks_cache.max_age = 0  # (the cache's lifetime passes)
        assert (await call(client, old_token)).status_code == 401
        assert (await call(client, new_token)).status_code == 200
    finally:
        oidc.jwks_cache.max_age, oidc.jwks_cache.min_refetch = 300, 10
        config["ACTIVE_JWKS"], config["INACTIVE_JWKS"] = active, inactive


async def test_forged_kids_do_not_make_luukku_hammer_the_issuer(
    client: httpx.AsyncClient, auth_config: AuthConfig, robot: tuple[str, str], issuer: str
) -> None:
    token = await access_token(issuer, *robot)
    assert (await call(client, token)).status_code == 200
    before = sum(oidc.jwks_cache.fetches.values())
    _, payload, signature = token.split(".")
    for n in range(20):
        header = oidc.b64url(f'{{"alg":"RS256","kid":"forged-{n}"}}'.encode())
        assert (await call(client, f"{header}.{payload}.{signature}")).status_code == 401
    assert sum(oidc.jwks_cache.fetches.values()) - before <= 1
