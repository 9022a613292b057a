"""The live-tracking issue's 'done when', with real processes and a real third-party client.

Two uvicorn workers share Redis. A customer (the npm graphql-ws client, in Node) and a
co-authority subscribe on worker A with `listening: true`; once each has its LISTENING
event, the police handler changes the status on worker B, once. Both see it live; a third
authority that is not involved sees nothing but its LISTENING (without the project); a bad
token is refused with 4403.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests import db as test_db
from tests.servers import LUUKKU, ROOT, demo_tokens, running
from tests.subscriptions.test_bus import REDIS_URL

NODE_DIR = ROOT / "tests" / "node"
ACTIVITY = """subscription($id: ID!) { projectActivity(projectId: $id, listening: true) {
  kind project { id }
  ... on ApplicationStatusChangedEvent { fromStatus toStatus application { id status } }
  ... on MessagePostedEvent { message { body } } } }"""

pytestmark = [pytest.mark.redis, pytest.mark.slow]


class NodeClient:
    """`node subscribe.mjs` in the background; its output lines are collected."""

    def __init__(
        self, url: str, token: str, query: str, variables: dict[str, Any], max_events: int = 100
    ) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [
                "node",
                str(NODE_DIR / "subscribe.mjs"),
                url,
                token,
                query,
                json.dumps(variables),
                str(max_events),
            ],
            cwd=NODE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line[6:]) for line in self.lines if line.startswith("EVENT ")]

    def wait_for(self, predicate: Any, timeout: float = 15) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events():
                if predicate(event):
                    return event
            time.sleep(0.05)
        raise AssertionError(f"not received; output was: {self.lines}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()


@contextmanager
def node_client(*args: Any, **kwargs: Any) -> Iterator[NodeClient]:
    client = NodeClient(*args, **kwargs)
    try:
        yield client
    finally:
        client.stop()


@pytest_asyncio.fixture
async def shared_database(tmp_path: Path) -> AsyncIterator[str]:
    async with test_db.process_database(tmp_path, "shared") as url:
        yield url


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [LUUKKU, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_two_workers_a_node_client_and_the_permission_rules(shared_database: str) -> None:
    env = {
        "DATABASE_URL": shared_database,
        "BROADCAST_URL": REDIS_URL,
        "BROADCAST_PREFIX": f"test-{uuid.uuid4().hex}",
    }
    _cli(env, "migrate")
    _cli(env, "catalogue", "load")
    tokens = demo_tokens(_cli(env, "demo", "seed"))
    customer, police, rescue, third = (
        tokens["Aino Andersson"],
        tokens["Ville Virtanen"],
        tokens["Sanna Saarinen"],
        tokens["Liisa Lahtinen"],
    )
    with running(["serve"], env) as worker_a, running(["serve"], env) as worker_b:
        async with httpx.AsyncClient(base_url=worker_b.url, timeout=10) as b:

            async def on_b(
                token: str, query: str, variables: dict[str, Any] | None = None
            ) -> dict[str, Any]:
                response = await b.post(
                    "/graphql",
                    json={"query": query, "variables": variables or {}},
                    headers={"Authorization": f"Bearer {token}"},
                )
                body: dict[str, Any] = response.json()
                assert "errors" not in body, body
                return body["data"]

            data = await on_b(
                customer,
                "{ projects { nodes { id thread { id } applications { nodes { id permitType { code } } } } } }",
            )
            project = data["projects"]["nodes"][0]
            police_app = next(
                a["id"]
                for a in project["applications"]["nodes"]
                if a["permitType"]["code"] == "helsinki-police-event-notification"
            )
            ws_a = worker_a.url.replace("http://", "ws://") + "/graphql"
            variables = {"id": project["id"]}
            with (
                node_client(ws_a, customer, ACTIVITY, variables) as customer_client,
                node_client(ws_a, rescue, ACTIVITY, variables) as rescue_client,
                node_client(ws_a, third, ACTIVITY, variables) as third_client,
                node_client(ws_a, "lk_not-a-token", ACTIVITY, variables) as refused,
            ):
                # Each listens once it has its LISTENING event (worker A has joined the
                # project's channel and Redis has its SUBSCRIBE): a change made on worker B
                # from then on is delivered, the first time.
                def is_listening(event: dict[str, Any]) -> bool:
                    return event["data"]["projectActivity"]["kind"] == "LISTENING"

                for client in (customer_client, rescue_client, third_client):
                    listening = client.wait_for(is_listening, timeout=30)
                    seen = None if client is third_client else {"id": project["id"]}
                    assert listening["data"]["projectActivity"]["project"] == seen
                    assert client.events()[0] == listening  # the first
                version = (
                    await on_b(
                        police,
                        "query($id: ID!) { application(id: $id) { version } }",
                        {"id": police_app},
                    )
                )["application"]["version"]
                changed = await on_b(
                    police,
                    "mutation($i: ApplicationStatusUpdateInput!) { applicationStatusUpdate(input: $i) { userErrors { code } } }",
                    {"i": {"id": police_app, "expectedVersion": version, "status": "IN_PROGRESS"}},
                )
                assert changed["applicationStatusUpdate"]["userErrors"] == []

                def is_status(event: dict[str, Any]) -> bool:
                    return event["data"]["projectActivity"]["kind"] == "STATUS_CHANGED"

                for client in (customer_client, rescue_client):
                    event = client.wait_for(is_status)["data"]["projectActivity"]
                    assert (event["fromStatus"], event["toStatus"]) == (
                        "NOT_STARTED",
                        "IN_PROGRESS",
                    )
                    assert event["application"] == {"id": police_app, "status": "IN_PROGRESS"}
                await asyncio.sleep(0.5)
                assert len(third_client.events()) == 1, (
                    third_client.lines
                )  # not involved: nothing but its LISTENING
                refused.process.wait(15)
                assert any(
                    line.startswith("ERROR") and '"code":4403' in line for line in refused.lines
                ), refused.lines
