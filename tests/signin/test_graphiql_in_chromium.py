"""Issue 13's "done when", in a real browser: a demo person signs in through the demo
issuer's own login page (Canaille, started by `luukku demo`) and uses GraphiQL with the
session cookie alone, for a query, a mutation and a subscription; a system calls the API
with a JWT access token from the same issuer.

tests/signin/graphiql.mjs drives Debian's Chromium (playwright-core from web/node_modules)
against a real `luukku demo` process on a fresh database (SQLite, or PostgreSQL in the
PostgreSQL suite). Screenshots of each step are kept in
tests/signin/artifacts/<database>/ (ignored by git).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from app.demo_issuer import SYSTEM_CLIENT, SYSTEM_USER, demo_secret, password_of
from tests import db as test_db
from tests.servers import ROOT, browser_missing, free_port, run_browser_script, running

SCRIPT = ROOT / "tests" / "signin" / "graphiql.mjs"
PERSON = ("maija", "Maija Meikäläinen")

pytestmark = pytest.mark.slow

CATALOGUE = """{ serviceBundles { id code }
  permitTypes(filter: {serviceBundleCode: "public-event"}, first: 100) { nodes { id code } } }"""


@pytest_asyncio.fixture
async def demo_database(tmp_path: Path) -> AsyncIterator[str]:
    async with test_db.process_database(tmp_path, "graphiql") as url:
        yield url


async def test_a_demo_person_signs_in_and_uses_graphiql_with_the_session_alone(
    demo_database: str,
) -> None:
    missing = browser_missing(
        {"GraphiQL's assets: run `make graphiql`": ROOT / "app" / "graphiql" / "node_modules"}
    )
    assert not missing, "this test needs: " + "; ".join(missing)
    suite = "postgres" if test_db.is_postgres() else "sqlite"
    artifacts = ROOT / "tests" / "signin" / "artifacts" / suite
    env = {
        "DATABASE_URL": demo_database,
        "DEMO_SYSTEM_PORT": str(free_port()),
        "DEMO_ISSUER_PORT": str(free_port()),
    }
    with running(["demo"], env) as server:
        found = re.search(r"^Sign in with a browser: \S+ \(issuer (\S+)\)$", server.output, re.M)
        assert found, server.output
        issuer = found.group(1)
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            # the public catalogue (no sign-in needed): ids for the project GraphiQL creates
            catalogue = (await client.post("/graphql", json={"query": CATALOGUE})).json()["data"]
            bundle = next(
                b["id"] for b in catalogue["serviceBundles"] if b["code"] == "public-event"
            )
            permit = next(
                p["id"]
                for p in catalogue["permitTypes"]["nodes"]
                if p["code"] == "helsinki-rescue-plan"
            )
            results, report = run_browser_script(
                SCRIPT,
                artifacts,
                {
                    "LUUKKU_URL": server.url,
                    "LUUKKU_ISSUER": issuer,
                    "LUUKKU_LOGIN": PERSON[0],
                    "LUUKKU_PASSWORD": password_of(PERSON[0]),
                    "LUUKKU_BUNDLE": bundle,
                    "LUUKKU_PERMIT_TYPE": permit,
                },
                cwd=ROOT,
                timeout=180,
            )

            # the issuer's own pages asked for the login and the password
            assert results["issuerPages"] and results["offOrigin"] == [], report
            assert results["logo"].startswith(PERSON[1]), report
            # GraphiQL's answers, read from its result pane
            assert results["viewer"] == {
                "isAuthenticated": True,
                "hasSession": True,
                "person": {"name": PERSON[1]},
            }, report
            assert results["projectCreate"]["userErrors"] == [], report
            event = results["event"]
            assert event and event["kind"] in {"APPLICATION_SHARED", "APPLICATION_UNSHARED"}, report
            # every request went with the session cookie alone: no Authorization header,
            # the CSRF header from GraphiQL's page
            operations = {r["operation"] for r in results["requests"]}
            assert {"query", "mutation"} <= operations, report
            for request in results["requests"]:
                assert not request["authorization"] and request["csrf"] == "1", report
                assert request["sessionCookie"] or request["operation"] != "mutation", report
            # the socket authenticated by the cookie: connection_init carried no token
            inits = [
                m
                for s in results["socketFrames"]
                for m in s["sent"]
                if m["type"] == "connection_init"
            ]
            assert inits and all("authorization" not in str(m).lower() for m in inits), report
            # signed out at Luukku, then at the issuer's end-session page, and back
            assert results["afterSignOut"].startswith(issuer + "/oauth/end_session"), report
            assert "signed out" in results["signedOutPage"] and results["signedOut"], report
            assert results["seconds"] < 60, report

            # a system calls the API with a JWT access token from the same issuer (the demo's
            # recipe, as `luukku demo` prints it)
            token = httpx.post(
                f"{issuer}/oauth/token",
                data={
                    "grant_type": "password",
                    "username": SYSTEM_USER,
                    "password": password_of(SYSTEM_USER),
                    "scope": "openid",
                },
                auth=(SYSTEM_CLIENT, demo_secret(SYSTEM_CLIENT)),
                timeout=10,
            ).json()["access_token"]
            assert token.count(".") == 2  # a JWT, not an lk_ token
            viewer = await client.post(
                "/graphql",
                json={"query": "{ viewer { isAuthenticated authoritySystem { code } } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert viewer.json()["data"]["viewer"] == {
                "isAuthenticated": True,
                "authoritySystem": {"code": "helsinki-public-areas"},
            }
