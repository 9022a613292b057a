"""The browser sign-in against a real issuer: code flow with PKCE, state and nonce, the
session cookie, GraphQL with it, and what a bad callback gets."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from actions.auth import oidc
from actions.auth.config import AuthConfig, override_auth_config
from models import AuthRequest, AuthSession, Membership, Organisation, Person, PersonIdentity
from tests.signin.conftest import at_issuer, config_for, login, start_login

VIEWER = "{ viewer { isAuthenticated hasSession person { name } memberships { role authority { code } } } }"


async def graphql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


async def test_a_person_signs_in_and_uses_graphql_with_the_session_alone(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any
) -> None:
    user = make_user("Maija", "Meikäläinen")
    response = await login(client, user, "/ui/projects?tab=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/projects?tab=1"
    cookie = response.headers["set-cookie"]
    assert "luukku=lks_" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    viewer = (await graphql(client, VIEWER)).json()["data"]["viewer"]
    assert viewer["isAuthenticated"] and viewer["hasSession"]
    assert viewer["person"]["name"] == "Maija Meikäläinen"
    identity = await PersonIdentity.get(subject=user.username)
    assert identity.issuer == auth_config.providers[0].issuer
    stored = await AuthSession.get(person_id=identity.person_id)
    assert stored.token_hash not in cookie  # only the hash is stored
    assert await AuthRequest.filter(used_at=None).count() == 0


async def test_a_second_login_finds_the_same_person_and_takes_the_new_name(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any, iam_server: Any
) -> None:
    user = make_user("Maija", "Meikäläinen")
    await login(client, user)
    user.model.family_name = "Virtanen"
    user.model.formatted_name = "Maija Virtanen"
    iam_server.backend.save(user.model)
    await login(client, user)
    assert await Person.filter(name__startswith="Maija").count() == 1
    assert (await Person.get(name__startswith="Maija")).name == "Maija Virtanen"


async def test_a_cookie_authenticated_mutation_needs_the_csrf_header(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any
) -> None:
    await login(client, make_user())
    mutation = "mutation { actingForSelect(input: {organisationId: null}) { userErrors { code } } }"
    refused = (await graphql(client, mutation)).json()
    assert refused["errors"][0]["extensions"]["code"] == "CSRF_HEADER_REQUIRED"
    assert refused["data"] is None
    done = (await graphql(client, mutation, **{"X-Luukku-CSRF": "1"})).json()
    assert done["data"]["actingForSelect"]["userErrors"] == []


async def test_the_session_cookie_is_refused_from_another_origin(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any
) -> None:
    await login(client, make_user())
    response = await graphql(client, VIEWER, Origin="https://evil.example")
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN_ORIGIN"


async def test_a_replayed_state_is_refused_and_makes_no_second_session(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any
) -> None:
    callback = await at_issuer(await start_login(client), make_user())
    assert (await client.get(callback)).status_code == 303
    replay = await client.get(callback)
    assert replay.status_code == 400
    assert "INVALID_STATE" in replay.text
    assert await AuthSession.all().count() == 1


async def test_a_state_from_another_browser_is_refused(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any
) -> None:
    callback = await at_issuer(await start_login(client), make_user())
    client.cookies.clear()  # the login cookie binds the state to the browser that started
    response = await client.get(callback)
    assert response.status_code == 400 and "INVALID_STATE" in response.text
    assert await AuthSession.all().count() == 0


async def test_a_wrong_pkce_verifier_gets_no_token_and_no_session(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any
) -> None:
    authorize = await start_login(client)
    await AuthRequest.all().update(code_verifier=oidc.new_secret() + "x")
    response = await client.get(await at_issuer(authorize, make_user()))
    assert response.status_code == 401
    assert "TOKEN_EXCHANGE_FAILED" in response.text
    assert await AuthSession.all().count() == 0
    assert await Person.all().count() == 0


async def test_an_id_token_with_another_logins_nonce_is_refused(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any
) -> None:
    authorize = await start_login(client)
    await AuthRequest.all().update(nonce=oidc.new_secret())  # a replayed token's nonce ≠ ours
    response = await client.get(await at_issuer(authorize, make_user()))
    assert response.status_code == 401 and "INVALID_TOKEN" in response.text
    assert await AuthSession.all().count() == 0


async def test_an_expired_id_token_is_refused(
    client: httpx.AsyncClient,
    auth_config: AuthConfig,
    make_user: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    callback = await at_issuer(await start_login(client), make_user())
    later = time.time() + 2 * 3600  # the issuer's ID tokens live an hour
    monkeypatch.setattr(oidc, "clock", lambda: later)
    response = await client.get(callback)
    assert response.status_code == 401 and "TOKEN_EXPIRED" in response.text
    assert await AuthSession.all().count() == 0


async def test_an_error_from_the_issuer_makes_no_session(
    client: httpx.AsyncClient, auth_config: AuthConfig
) -> None:
    authorize = await start_login(client)
    state = httpx.URL(authorize).params["state"]
    response = await client.get("/auth/callback", params={"state": state, "error": "access_denied"})
    assert response.status_code == 401 and "ISSUER_REFUSED" in response.text
    assert await AuthSession.all().count() == 0


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "ui"],
)
async def test_return_to_is_limited_to_this_apps_paths(
    client: httpx.AsyncClient, auth_config: AuthConfig, target: str
) -> None:
    await start_login(client, target)
    assert (await AuthRequest.get()).return_to == "/graphql"


async def test_roles_come_from_the_mapping_rules_and_go_when_they_stop_matching(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any, iam_server: Any
) -> None:
    handler = make_user("Ville", "Virtanen", groups=["police-handlers"])
    await login(client, handler)
    viewer = (await graphql(client, VIEWER)).json()["data"]["viewer"]
    assert viewer["memberships"] == [
        {"role": "AUTHORITY_HANDLER", "authority": {"code": "helsinki-police"}}
    ]
    # the municipality changes its rule: the group no longer gives the role
    override_auth_config(
        config_for(
            auth_config.providers[0].issuer,
            memberships=[
                {
                    "claim": "groups",
                    "value": "rescue-handlers",
                    "authority": "helsinki-rescue",
                    "role": "AUTHORITY_HANDLER",
                }
            ],
        )
    )
    await login(client, handler)
    viewer = (await graphql(client, VIEWER)).json()["data"]["viewer"]
    assert viewer["memberships"] == []


async def test_without_a_matching_rule_a_person_is_a_customer_only(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any
) -> None:
    await login(client, make_user("Olli", "Ulkopuolinen", groups=["somewhere-else"]))
    assert await Membership.all().count() == 0
    police = await Organisation.get(code="helsinki-police")
    assert await Membership.filter(organisation_id=police.id).count() == 0


async def test_an_idle_or_expired_session_gets_401_and_loses_its_cookie(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    await login(client, make_user())
    await AuthSession.all().update(last_seen_at=datetime.now(UTC) - timedelta(hours=1))
    response = await graphql(client, VIEWER)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "SESSION_ENDED"
    assert (
        'luukku=""' in response.headers["set-cookie"]
        or "Max-Age=0" in response.headers["set-cookie"]
    )


async def test_a_forged_cookie_gets_401(client: httpx.AsyncClient, auth_config: AuthConfig) -> None:
    client.cookies.set("luukku", "lks_forged")
    response = await graphql(client, VIEWER)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "SESSION_ENDED"


async def test_a_head_probe_of_the_login_redirects_without_starting_a_login(
    client: httpx.AsyncClient, auth_config: AuthConfig
) -> None:
    # the web client asks with HEAD whether the server offers sign-in: it gets the same
    # redirect to the issuer as GET, but nothing is written and no login cookie is set
    probe = await client.head("/auth/login?returnTo=%2Fui%2F")
    assert probe.status_code == 303
    assert probe.headers["location"].startswith(auth_config.providers[0].issuer)
    assert "set-cookie" not in probe.headers
    assert await AuthRequest.all().count() == 0
    started = await client.get("/auth/login?returnTo=%2Fui%2F")
    assert started.status_code == 303 and "state=" in started.headers["location"]
    assert "set-cookie" in started.headers
    assert await AuthRequest.all().count() == 1
