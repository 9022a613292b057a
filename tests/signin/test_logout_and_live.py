"""Logout ends the session everywhere: the cookie, open sockets (4403), the issuer's session;
and the same-origin WebSocket authenticates by the cookie."""

from __future__ import annotations

from typing import Any

import httpx

from actions.auth.config import AuthConfig
from models import AuthSession, ServiceBundle
from models.ids import global_id
from notifications.events import project_channel
from schema.node import parse_global_id
from tests.signin.conftest import CLIENT_ID, login, public
from tests.subscriptions.wsclient import connect, wait_subscribed, ws_client

CREATE = """mutation($input: ProjectCreateInput!) { projectCreate(input: $input) {
  project { id } userErrors { code } } }"""
ACTIVITY = "subscription($id: ID!) { projectActivity(projectId: $id) { kind } }"


async def _project(client: httpx.AsyncClient) -> str:
    bundle = await ServiceBundle.get(code="public-event")
    response = await client.post(
        "/graphql",
        json={
            "query": CREATE,
            "variables": {
                "input": {
                    "serviceBundleId": global_id("ServiceBundle", bundle.id),
                    "name": "Kesäjuhla",
                    "municipalityCode": "091",
                }
            },
        },
        headers={"X-Luukku-CSRF": "1"},
    )
    payload = response.json()["data"]["projectCreate"]
    assert payload["userErrors"] == []
    return str(payload["project"]["id"])


async def test_logout_closes_the_sessions_sockets_and_ends_it_at_the_issuer(
    auth_config: AuthConfig, make_user: Any, issuer: str
) -> None:
    async with ws_client() as client:
        await login(client, make_user())
        project_id = await _project(client)
        async with connect(client, None, params={}, headers={"Origin": "http://test"}) as socket:
            await socket.subscribe(ACTIVITY, {"id": project_id})
            await wait_subscribed(project_channel(parse_global_id(project_id, "Project") or 0))
            response = await client.post("/auth/logout")
            assert response.status_code == 303
            location = httpx.URL(response.headers["location"])
            assert str(location).startswith(issuer + "/oauth/end_session")
            assert location.params["client_id"] == CLIENT_ID
            assert location.params["post_logout_redirect_uri"] == public("/auth/logged-out")
            assert await socket.closed() == 4403
        assert (await AuthSession.get()).revoked_at is not None
        after = await client.post("/graphql", json={"query": "{ viewer { isAuthenticated } }"})
        assert after.json()["data"]["viewer"]["isAuthenticated"] is False  # cookie deleted
        # the old cookie value itself no longer works either
        async with connect(client, None, params={}, expect_ack=False) as socket:
            assert await socket.closed() == 4403


async def test_logout_answers_json_to_fetch(
    client: httpx.AsyncClient, auth_config: AuthConfig, make_user: Any, issuer: str
) -> None:
    await login(client, make_user())
    response = await client.post("/auth/logout", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json()["endSessionUrl"].startswith(issuer + "/oauth/end_session")
    again = await client.post("/auth/logout", headers={"Accept": "application/json"})
    assert again.json() == {"ok": True, "endSessionUrl": None}


async def test_a_cross_origin_socket_cannot_use_the_cookie(
    auth_config: AuthConfig, make_user: Any
) -> None:
    async with ws_client() as client:
        await login(client, make_user())
        try:
            async with connect(
                client,
                None,
                params={},
                headers={"Origin": "https://evil.example"},
                expect_ack=False,
            ) as socket:
                code = await socket.closed()
        except Exception as exc:  # refused during the handshake
            code = getattr(exc, "code", 1008)
        assert code in (1008, 4403)
