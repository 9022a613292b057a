"""`luukku demo` (what `make demo` runs) really serves the API, with printed tokens that work."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests import db as test_db
from tests.factories import example_for
from tests.flows import event_journey
from tests.servers import LUUKKU, ROOT, demo_tokens, free_port, running


def _demo_env(database: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database,
        "DEMO_SYSTEM_PORT": str(free_port()),
        "DEMO_ISSUER_PORT": str(free_port()),
        "OUTBOX_POLL_MS": "200",
    }


@pytest_asyncio.fixture
async def demo_database(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database for the demo process: an SQLite file, or a new PostgreSQL database."""
    async with test_db.process_database(tmp_path, "demo") as url:
        yield url


async def test_demo_serves_graphql_with_working_tokens(demo_database: str) -> None:
    with running(["demo"], _demo_env(demo_database)) as server:
        tokens = demo_tokens(server.output)
        assert {"Maija Meikäläinen", "Ville Virtanen", "Sanna Saarinen"} <= set(tokens)
        # what a newcomer needs: e-mail addresses, ids, the README's dates, URLs, the CLI
        output = server.output
        assert "e-mail  maija.meikalainen@demo.luukku.example" in output
        assert re.search(r"^    id  \S+$", output, re.M)  # the demo project's
        assert re.search(r"helsinki-police-event-notification  NOT_STARTED  version 3  id ", output)
        assert f"<today+7> = {(date.today() + timedelta(days=7)).isoformat()}" in output
        assert f"GraphiQL:  {server.url}/graphql" in output and f"{server.url}/healthz" in output
        assert ". .venv/bin/activate" in output and "make demo-reset" in output
        assert "Virus scanning: OFF" in server.output  # and the files say NOT_SCANNED
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            # the rescue department downloads the seeded rescue plan's site map
            files = await client.post(
                "/graphql",
                json={"query": SITE_MAP},
                headers={"Authorization": f"Bearer {tokens['Sanna Saarinen']}"},
            )
            (site_map,) = [
                a
                for p in files.json()["data"]["projects"]["nodes"]
                for app in p["applications"]["nodes"]
                for a in app["attachments"]
            ]
            assert (site_map["kind"], site_map["scanStatus"]) == ("site-map", "NOT_SCANNED")
            downloaded = await client.get(site_map["downloadUrl"])
            assert downloaded.status_code == 200 and downloaded.content.startswith(b"%PDF-")
            page = await client.get("/graphql", headers={"Accept": "text/html"})
            assert (
                page.status_code == 200 and "/graphiql/assets/graphiql/graphiql.min.js" in page.text
            )

            async def send(query: str, variables: dict[str, Any]) -> dict[str, Any]:
                response = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {tokens['Maija Meikäläinen']}"},
                )
                body: dict[str, Any] = response.json()
                assert "errors" not in body, body
                return body

            result = await event_journey(send, example_for)
            assert result["submitted"]["status"] == "NOT_STARTED"


SITE_MAP = """{ projects(first: 10) { nodes { applications { nodes {
  attachments { kind scanStatus downloadUrl } } } } } }"""


async def test_a_demo_person_signs_in_at_the_demo_issuer_and_a_system_uses_its_jwt(
    demo_database: str,
) -> None:
    from tests.signin.browser import sign_in_at_issuer

    env = _demo_env(demo_database)
    with running(["demo"], env) as server:
        issuer = f"http://127.0.0.1:{env['DEMO_ISSUER_PORT']}"
        assert "aino / aino-demo" in server.output
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as app:
            start = await app.get("/auth/login", params={"returnTo": "/graphql"})
            assert start.headers["location"].startswith(issuer + "/oauth/authorize")
            async with httpx.AsyncClient(timeout=10) as browser:  # the real, CSRF-protected pages
                back = await sign_in_at_issuer(
                    browser,
                    start.headers["location"],
                    "aino",
                    "aino-demo",
                    server.url + "/auth/callback",
                )
            assert (await app.get(back)).headers["location"] == "/graphql"
            viewer = (
                await app.post(
                    "/graphql",
                    json={
                        "query": "{ viewer { person { name } mayActFor { organisation { name } } } }"
                    },
                )
            ).json()["data"]["viewer"]
            assert viewer["person"]["name"] == "Aino Andersson"
            assert {m["organisation"]["name"] for m in viewer["mayActFor"]} == {
                "Suvisoitto Tapahtumat Oy",
                "Pohjoistuuli Energia Oy",
            }
            token = await browser_token(issuer)
            system = await app.post(
                "/graphql",
                json={"query": "{ viewer { authoritySystem { code } } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert system.json()["data"]["viewer"]["authoritySystem"] == {
                "code": "helsinki-public-areas"
            }


async def browser_token(issuer: str) -> str:
    from app.demo_issuer import SYSTEM_CLIENT, SYSTEM_USER, demo_secret, password_of

    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            issuer + "/oauth/token",
            data={
                "grant_type": "password",
                "username": SYSTEM_USER,
                "password": password_of(SYSTEM_USER),
                "scope": "openid",
            },
            auth=(SYSTEM_CLIENT, demo_secret(SYSTEM_CLIENT)),
        )
    return str(response.json()["access_token"])


COMMON_VIEW = """{ projects(first: 10) { nodes { id name applications { nodes {
  id version status permitType { code } authority { code } content { formData }
  decision { outcome isSharedWithAuthorities } } } } } }"""


async def test_demo_handlers_work_the_demo_event_project(demo_database: str) -> None:
    """The authorities issue's 'done when', with the tokens `make demo` prints."""
    with running(["demo"], _demo_env(demo_database)) as server:
        tokens = demo_tokens(server.output)
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:

            async def as_(
                name: str, query: str, variables: dict[str, Any] | None = None
            ) -> dict[str, Any]:
                response = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables or {}},
                    headers={"Authorization": f"Bearer {tokens[name]}"},
                )
                body: dict[str, Any] = response.json()
                assert "errors" not in body, body
                return body["data"]

            views = {
                name: await as_(name, COMMON_VIEW) for name in ("Ville Virtanen", "Sanna Saarinen")
            }
            for view in views.values():
                (project,) = view["projects"]["nodes"]
                apps = {a["permitType"]["code"]: a for a in project["applications"]["nodes"]}
                assert (
                    apps["helsinki-noise-notification"]["content"] is None
                )  # unshared draft, third authority
                assert apps["helsinki-police-event-notification"]["content"] is not None
            police = {
                a["permitType"]["code"]: a
                for a in views["Ville Virtanen"]["projects"]["nodes"][0]["applications"]["nodes"]
            }["helsinki-police-event-notification"]
            app_id = police["id"]

            async def version() -> int:
                data = await as_(
                    "Ville Virtanen",
                    "query($id: ID!) { application(id: $id) { version } }",
                    {"id": app_id},
                )
                return int(data["application"]["version"])

            def ok(payload: dict[str, Any]) -> dict[str, Any]:
                assert payload["userErrors"] == [], payload
                return payload

            errors = "userErrors { code message }"
            ok(
                (
                    await as_(
                        "Ville Virtanen",
                        f"mutation($i: ApplicationAssignInput!) {{ applicationAssign(input: $i) {{ {errors} }} }}",
                        {"i": {"id": app_id, "expectedVersion": await version()}},
                    )
                )["applicationAssign"]
            )
            ok(
                (
                    await as_(
                        "Ville Virtanen",
                        f"mutation($i: ApplicationStatusUpdateInput!) {{ applicationStatusUpdate(input: $i) {{ {errors} }} }}",
                        {
                            "i": {
                                "id": app_id,
                                "expectedVersion": await version(),
                                "status": "IN_PROGRESS",
                            }
                        },
                    )
                )["applicationStatusUpdate"]
            )
            ok(
                (
                    await as_(
                        "Ville Virtanen",
                        f"mutation($i: SupplementRequestInput!) {{ supplementRequest(input: $i) {{ {errors} }} }}",
                        {
                            "i": {
                                "id": app_id,
                                "expectedVersion": await version(),
                                "message": "Toimittakaa järjestyksenvalvontasuunnitelma.",
                                "dueDate": (date.today() + timedelta(days=7)).isoformat(),
                            }
                        },
                    )
                )["supplementRequest"]
            )
            ok(
                (
                    await as_(
                        "Aino Andersson",
                        f"mutation($i: SupplementSubmitInput!) {{ supplementSubmit(input: $i) {{ {errors} }} }}",
                        {
                            "i": {
                                "id": app_id,
                                "expectedVersion": await version(),
                                "message": "Suunnitelma liitteenä.",
                            }
                        },
                    )
                )["supplementSubmit"]
            )
            ok(
                (
                    await as_(
                        "Ville Virtanen",
                        f"mutation($i: DecisionRecordInput!) {{ decisionRecord(input: $i) {{ {errors} }} }}",
                        {
                            "i": {
                                "id": app_id,
                                "expectedVersion": await version(),
                                "outcome": "APPROVED",
                                "decidedOn": date.today().isoformat(),
                                "summary": "Ilmoitus käsitelty.",
                            }
                        },
                    )
                )["decisionRecord"]
            )
            rescue = await as_("Sanna Saarinen", COMMON_VIEW)
            seen = {a["id"]: a for a in rescue["projects"]["nodes"][0]["applications"]["nodes"]}[
                app_id
            ]
            assert seen["decision"] == {"outcome": "APPROVED", "isSharedWithAuthorities": True}


@pytest.mark.redis  # runs with the real Node client, like the live-tracking issue's tests
async def test_demo_mails_and_the_api_channel_round_trip(demo_database: str) -> None:
    """The notices issue's 'done when': the police mail, and the demo authority system that
    receives a signed CloudEvent and approves through the API, live to the customer."""
    import asyncio
    import os
    import subprocess

    from tests.subscriptions.test_real_clients import node_client

    env = _demo_env(demo_database)
    with running(["demo"], env) as server:
        tokens = demo_tokens(server.output)
        aino = tokens["Aino Andersson"]
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:

            async def as_aino(
                query: str, variables: dict[str, Any] | None = None
            ) -> dict[str, Any]:
                response = await client.post(
                    "/graphql",
                    json={"query": query, "variables": variables or {}},
                    headers={"Authorization": f"Bearer {aino}"},
                )
                body: dict[str, Any] = response.json()
                assert "errors" not in body, body
                return body["data"]

            data = await as_aino(
                "{ projects { nodes { id applications { nodes { id version permitType { code } } } } } }"
            )
            project = data["projects"]["nodes"][0]
            apps = {a["permitType"]["code"]: a for a in project["applications"]["nodes"]}
            area = apps["helsinki-public-area-use"]
            query = """subscription($id: ID!) { projectActivity(projectId: $id) { kind
              ... on ApplicationEvent { application { id status } } } }"""
            ws = server.url.replace("http://", "ws://") + "/graphql"
            with node_client(ws, aino, query, {"id": project["id"]}) as live:
                await asyncio.sleep(1.0)  # let the Node client subscribe
                submitted = await as_aino(
                    "mutation($i: ApplicationSubmitInput!) { applicationSubmit(input: $i) { userErrors { code } } }",
                    {"i": {"id": area["id"], "expectedVersion": area["version"]}},
                )
                assert submitted["applicationSubmit"]["userErrors"] == []
                approved = await asyncio.to_thread(
                    live.wait_for,
                    lambda e: e["data"]["projectActivity"]["kind"] == "DECISION_RECORDED",
                    30,
                )
                assert approved["data"]["projectActivity"]["application"] == {
                    "id": area["id"],
                    "status": "APPROVED",
                }
            system = httpx.get(f"http://127.0.0.1:{env['DEMO_SYSTEM_PORT']}/events").json()
            assert [e["type"] for e in system["received"]] == ["fi.luukku.application.submitted"]
            assert system["rejected"] == 0
        mail = subprocess.run(
            [LUUKKU, "mail", "--to", "helsinki-police"],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        assert "To: helsinki-police@demo.luukku.example" in mail
        assert "Uusi hakemus: Yleisötilaisuusilmoitus" in mail or "Uusi hakemus:" in mail
        assert "Avaa hakemus: http://" in mail and "/ui/authority/applications/" in mail
