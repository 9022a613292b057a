"""A demo authority system: what an authority's own case-management system does with Luukku.

It listens on localhost for Luukku's deliveries (CloudEvents signed as Standard Webhooks),
checks each signature, applies each event once (deduplicating by webhook-id), and for a new
application answers through Luukku's GraphQL API with its own API-client token: it starts
processing and records an approval, as a real system would after its handler decided.

`luukku demo` runs it on DEMO_SYSTEM_PORT (8099) for the Helsinki public-area permits;
tests run it as a real HTTP endpoint.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from notifications.webhooks import verify

log = logging.getLogger("luukku.demo_system")

STATUS = """mutation($i: ApplicationStatusUpdateInput!) { applicationStatusUpdate(input: $i) {
  application { version } userErrors { code message } } }"""
DECIDE = """mutation($i: DecisionRecordInput!) { decisionRecord(input: $i) {
  application { version status } userErrors { code message } } }"""
VERSION = "query($id: ID!) { application(id: $id) { version status } }"


@dataclass
class DemoSystem:
    secrets: list[str]
    api_url: str
    token: str
    approve: bool = True
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)
    applied: list[str] = field(default_factory=list)
    duplicates: int = 0
    rejected: int = 0
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        if not any(verify(secret, headers, body) for secret in self.secrets):
            self.rejected += 1
            return JSONResponse({"error": "bad signature"}, status_code=401)
        event = orjson.loads(body)
        message_id = headers["webhook-id"]
        if message_id in self.seen:  # delivered again (a retry): already applied
            self.duplicates += 1
            return Response(status_code=204)
        self.seen[message_id] = event
        self.applied.append(event["type"])
        if self.approve and event["type"] == "fi.luukku.application.submitted":
            task = asyncio.create_task(self._decide(event["subject"]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return Response(status_code=204)

    async def _call(
        self, client: httpx.AsyncClient, query: str, variables: dict[str, Any]
    ) -> dict[str, Any]:
        response = await client.post(
            self.api_url,
            json={"query": query, "variables": variables},
            headers={
                "Authorization": f"Bearer {self.token}",
                "X-Road-Client": "FI/GOV/0201256-6/alueidenkaytto-demo",
                "X-Road-Id": f"demo-{datetime.now(UTC).timestamp()}",
            },
            timeout=10,
        )
        data: dict[str, Any] = response.json()
        if data.get("errors"):
            raise RuntimeError(data["errors"])
        result: dict[str, Any] = data["data"]
        return result

    async def _decide(self, application_id: str) -> None:
        """Start processing and approve, through Luukku's API with the system's own token."""
        try:
            async with httpx.AsyncClient() as client:
                current = (await self._call(client, VERSION, {"id": application_id}))["application"]
                started = await self._call(
                    client,
                    STATUS,
                    {
                        "i": {
                            "id": application_id,
                            "expectedVersion": current["version"],
                            "status": "IN_PROGRESS",
                            "comment": "Vastaanotettu alueidenkäytön järjestelmään.",
                        }
                    },
                )
                version = started["applicationStatusUpdate"]["application"]["version"]
                await self._call(
                    client,
                    DECIDE,
                    {
                        "i": {
                            "id": application_id,
                            "expectedVersion": version,
                            "outcome": "APPROVED",
                            "decidedOn": datetime.now(UTC).date().isoformat(),
                            "summary": "Alueen käyttö myönnetty tapahtuman ajaksi.",
                            "documentReference": f"ALUE-{datetime.now(UTC):%Y}-{abs(hash(application_id)) % 10000:04d}",
                        }
                    },
                )
        except Exception:
            log.exception("the demo system could not decide %s", application_id)

    async def events(self, request: Request) -> Response:
        return JSONResponse(
            {
                "received": list(self.seen.values()),
                "duplicates": self.duplicates,
                "rejected": self.rejected,
            }
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[Route("/events", self.receive, methods=["POST"]), Route("/events", self.events)]
        )
