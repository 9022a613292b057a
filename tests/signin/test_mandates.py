"""Mandates through Suomi.fi e-Authorizations' organisation-role flow, against a local
server implementing its documented Web API (tests/signin/suomifi_server.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio

from actions import signin
from actions.auth.config import AuthConfig, override_auth_config, parse
from actions.auth.mandates import MandateError, SuomiFiClient
from models import AuthSession
from models.errors import DomainError, ErrorCode
from models.ids import global_id
from tests.signin import suomifi_server as server

HETU = "010101A123N"
ACME = {"name": "Acme Oy", "identifier": "3264871-7", "roles": ["NIMKO"], "complete": True}
WIND = {"name": "Tuuli Oy", "identifier": "1234567-1", "roles": ["TJ"], "complete": True}
VIEWER = """{ viewer { hasSession mandateSelectionUrl actingFor { name businessId }
  mayActFor { organisation { id businessId } basis roles } } }"""
SELECT = """mutation($id: ID) { actingForSelect(input: {organisationId: $id}) {
  viewer { actingFor { businessId } } userErrors { code } } }"""


@pytest_asyncio.fixture
async def web_api(db: str) -> AsyncIterator[tuple[server.WebApi, AuthConfig]]:
    async with server.running() as (api, url):
        config = parse(
            {
                "providers": [
                    {
                        "name": "suomifi",
                        "issuer": "https://tunnistus.example",
                        "client_id": "luukku",
                        "client_secret": "x",
                        "hetu_claim": "hetu",
                        "mandates": "suomifi",
                    }
                ],
                "suomifi_mandates": {
                    "base_url": url,
                    "client_id": server.CLIENT_ID,
                    "api_key": server.API_KEY,
                    "oauth_secret": server.OAUTH_SECRET,
                },
            },
            env={},
        )
        override_auth_config(config)
        try:
            yield api, config
        finally:
            override_auth_config(None)
        assert api.bad_checksums == 0


async def signed_in(client: httpx.AsyncClient, config: AuthConfig) -> int:
    """A session as /auth/callback makes it for a Suomi.fi login (the ID token's claims)."""
    provider = config.providers[0]
    claims = {"sub": "suomifi-sub-1", "name": "Aino Andersson", "hetu": HETU}
    person = await signin.sign_in(provider, claims)
    value, session = await signin.session_open(person, provider, claims, config)
    assert person.hetu is not None
    await signin.mandate_register(session, person.hetu)
    client.cookies.set("luukku", value)
    return session.id


async def choose_at_suomifi(client: httpx.AsyncClient) -> str:
    start = await client.get("/auth/mandate", params={"returnTo": "/ui/projects"})
    assert start.status_code == 303
    async with httpx.AsyncClient() as browser:
        selection = await browser.get(start.headers["location"])
    assert selection.status_code == 302
    back = httpx.URL(selection.headers["location"])
    done = await client.get(back.path, params=dict(back.params))
    assert done.status_code == 303
    return str(done.headers["location"])


async def viewer(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": VIEWER})
    return dict(response.json()["data"]["viewer"])


async def select(client: httpx.AsyncClient, organisation: str | None) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": SELECT, "variables": {"id": organisation}},
        headers={"X-Luukku-CSRF": "1"},
    )
    return dict(response.json()["data"]["actingForSelect"])


async def test_one_allowed_organisation_is_chosen_at_once(
    client: httpx.AsyncClient, web_api: tuple[server.WebApi, AuthConfig]
) -> None:
    api, config = web_api
    api.people[HETU] = server.Person([ACME])
    await signed_in(client, config)
    assert await choose_at_suomifi(client) == "/ui/projects?mandate=chosen"
    seen = await viewer(client)
    assert seen["actingFor"] == {"name": "Acme Oy", "businessId": "3264871-7"}
    assert seen["mayActFor"][0]["basis"] == "SUOMIFI" and seen["mayActFor"][0]["roles"] == ["NIMKO"]
    assert api.calls[:3] == ["register", "token", "organizationRoles"]


async def test_several_organisations_the_person_chooses_one(
    client: httpx.AsyncClient, web_api: tuple[server.WebApi, AuthConfig]
) -> None:
    api, config = web_api
    api.people[HETU] = server.Person([ACME, WIND])
    await signed_in(client, config)
    await choose_at_suomifi(client)
    seen = await viewer(client)
    assert seen["actingFor"] is None
    assert {m["organisation"]["businessId"] for m in seen["mayActFor"]} == {
        "3264871-7",
        "1234567-1",
    }
    wind = next(m for m in seen["mayActFor"] if m["organisation"]["businessId"] == "1234567-1")
    chosen = await select(client, wind["organisation"]["id"])
    assert chosen == {"viewer": {"actingFor": {"businessId": "1234567-1"}}, "userErrors": []}
    assert api.calls.count("organizationRoles") == 2  # asked again when chosen
    assert (await select(client, None))["viewer"]["actingFor"] is None


async def test_a_denied_selection_gives_no_organisation(
    client: httpx.AsyncClient, web_api: tuple[server.WebApi, AuthConfig]
) -> None:
    api, config = web_api
    api.people[HETU] = server.Person([ACME], deny=True)
    await signed_in(client, config)
    assert await choose_at_suomifi(client) == "/ui/projects?mandate=denied"
    assert (await viewer(client))["mayActFor"] == []


async def test_roles_that_do_not_allow_acting_and_incomplete_answers_are_refused(
    client: httpx.AsyncClient, web_api: tuple[server.WebApi, AuthConfig]
) -> None:
    api, config = web_api
    api.people[HETU] = server.Person(
        [
            {**ACME, "roles": ["OSAKAS"]},  # a shareholder may not act for the company
            {**WIND, "complete": False},  # the registers could not say everything
            {"name": "Broken", "identifier": "0000000-0"},  # malformed: no roles
        ]
    )
    await signed_in(client, config)
    assert await choose_at_suomifi(client) == "/ui/projects?mandate=none"
    seen = await viewer(client)
    assert seen["mayActFor"] == [] and seen["actingFor"] is None
    acme = global_id("Organisation", 1)
    assert (await select(client, acme))["userErrors"] == [{"code": "NO_MANDATE"}]


async def test_an_expired_web_api_session_ends_the_choice(
    client: httpx.AsyncClient, web_api: tuple[server.WebApi, AuthConfig]
) -> None:
    api, config = web_api
    api.people[HETU] = server.Person([ACME, WIND])
    session_id = await signed_in(client, config)
    await choose_at_suomifi(client)
    acme = next(m for m in (await viewer(client))["mayActFor"] if m["roles"] == ["NIMKO"])
    assert (await select(client, acme["organisation"]["id"]))["userErrors"] == []
    api.expire_all()
    # at submission the mandate is asked again: the expired session refuses
    from app.context import viewer_cache  # noqa: F401  (session viewers are not cached)

    cookie = client.cookies["luukku"]
    current = await signin.viewer_for_session(cookie)
    assert current is not None and current.acting_for is not None
    with pytest.raises(DomainError) as refused:
        await signin.mandate_ensure(current)
    assert refused.value.code is ErrorCode.MANDATE_EXPIRED
    assert (await AuthSession.get(id=session_id)).acting_for_id is None


async def test_an_old_mandate_is_asked_again_and_dropped_when_refused(
    client: httpx.AsyncClient, web_api: tuple[server.WebApi, AuthConfig]
) -> None:
    api, config = web_api
    api.people[HETU] = server.Person([ACME])
    session_id = await signed_in(client, config)
    await choose_at_suomifi(client)
    assert (await viewer(client))["actingFor"] is not None
    session = await AuthSession.get(id=session_id)
    old = (datetime.now(UTC) - timedelta(minutes=config.mandate_max_age_minutes + 1)).isoformat()
    await AuthSession.filter(id=session_id).update(
        mandate={**(session.mandate or {}), "checked_at": old}
    )
    api.people[HETU].organisations = []  # the mandate has been withdrawn meanwhile
    assert (await viewer(client))["actingFor"] is None


async def test_a_wrong_api_key_is_refused_by_the_service(
    web_api: tuple[server.WebApi, AuthConfig],
) -> None:
    api, config = web_api
    assert config.suomifi is not None
    from dataclasses import replace

    wrong = SuomiFiClient(replace(config.suomifi, api_key="not-the-key"))
    with pytest.raises(MandateError):
        await wrong.register(HETU)
    assert api.bad_checksums == 1
    api.bad_checksums = 0
