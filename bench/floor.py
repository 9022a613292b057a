"""The floor: read path (a) by hand, with raw asyncpg and Starlette, no GraphQL, no ORM.

It answers `POST /graphql` with the very JSON Luukku gives for bench.queries.OVERVIEW (the
harness checks that), doing the same work a hand-written endpoint must do: authenticate
the bearer token (SHA-256, not revoked or expired, memberships), apply the same visibility
rules (permissions/policies.py: involved authorities, decisions, application threads), and
read the rows in 5 statements on one pooled connection. It ignores the query text.

    FLOOR_DATABASE_URL=postgres://... uvicorn bench.floor:app --port 8001
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models.ids import decode_global_id, global_id
from models.statuses import LABELS

POOL: asyncpg.Pool | None = None

AUTH = """
SELECT t.kind, t.expires_at, t.organisation_id, t.person_id, p.is_active,
       coalesce(array_agg(m.organisation_id) FILTER (WHERE m.role <> 'CUSTOMER_REPRESENTATIVE'), '{}')
         AS handler_of,
       coalesce(array_agg(m.organisation_id) FILTER (WHERE m.role = 'CUSTOMER_REPRESENTATIVE'), '{}')
         AS represented
FROM api_token t
LEFT JOIN person p ON p.id = t.person_id
LEFT JOIN membership m ON m.person_id = t.person_id
WHERE t.token_hash = $1 AND t.revoked_at IS NULL
GROUP BY t.id, p.is_active"""

PROJECT = """
SELECT p.id, p.name, p.owner_person_id, p.owner_organisation_id, p.municipality_id,
       m.name->>'fi' AS municipality_name
FROM project p JOIN municipality m ON m.code = p.municipality_id
WHERE p.id = $1"""

APPLICATIONS = """
SELECT a.id, a.status, a.is_shared, a.submitted_at, a.authority_id,
       pt.code AS pt_code, pt.name->>'fi' AS pt_name, o.code AS a_code, o.name->>'fi' AS a_name,
       ap.name AS assigned_name, d.outcome, d.decided_on, d.summary, d.is_shared AS d_shared
FROM application a
JOIN permit_type pt ON pt.id = a.permit_type_id
JOIN organisation o ON o.id = a.authority_id
LEFT JOIN person ap ON ap.id = a.assigned_to_id
LEFT JOIN decision d ON d.application_id = a.id
WHERE a.project_id = $1
ORDER BY a.id"""

HISTORY = """
SELECT s.application_id, s.from_status, s.to_status, s.actor_label, pe.name AS actor_name,
       s.created_at
FROM status_change s LEFT JOIN person pe ON pe.id = s.actor_id
WHERE s.application_id = ANY($1::int[])
ORDER BY s.id"""

MESSAGES = """
SELECT t.id AS thread_id, t.application_id, m.body, m.author_label, o.name->>'fi' AS acting_for
FROM thread t
LEFT JOIN message m ON m.thread_id = t.id
LEFT JOIN organisation o ON o.id = m.acting_for_id
WHERE t.project_id = $1
ORDER BY t.id, m.id"""


#: ids are sealed and opened as Luukku does it (models/ids.py), so the floor pays that too
gid = global_id


def _iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _error(message: str, status: int) -> Response:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


async def overview(request: Request) -> Response:
    try:
        body = orjson.loads(await request.body())
        decoded = decode_global_id(body["variables"]["id"])
        project_id = decoded[1] if decoded is not None and decoded[0] == "Project" else 0
    except (ValueError, KeyError, TypeError):
        return _error("bad request", 400)
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    assert POOL is not None
    async with POOL.acquire() as conn:
        viewer = await conn.fetchrow(AUTH, hashlib.sha256(token.encode()).hexdigest())
        if (
            viewer is None
            or (viewer["expires_at"] is not None and viewer["expires_at"] <= datetime.now(UTC))
            or (viewer["person_id"] is not None and not viewer["is_active"])
        ):
            return _error("invalid token", 401)
        acting = set(viewer["handler_of"])
        if viewer["kind"] == "AUTHORITY_SYSTEM":
            acting.add(viewer["organisation_id"])
        represented = set(viewer["represented"])
        project = await conn.fetchrow(PROJECT, project_id)
        if project is None:
            return Response(b'{"data":{"project":null}}', media_type="application/json")
        apps = await conn.fetch(APPLICATIONS, project_id)
        # permissions/policies.py, for this one viewer
        visible = {
            a["id"]: a["submitted_at"] is not None or (a["status"] == "DRAFT" and a["is_shared"])
            for a in apps
        }
        involved = {a["authority_id"] for a in apps if visible[a["id"]]}
        customer = (
            viewer["person_id"] is not None and viewer["person_id"] == project["owner_person_id"]
        ) or project["owner_organisation_id"] in represented
        is_involved = bool(acting & involved)
        if not (customer or is_involved):
            return Response(b'{"data":{"project":null}}', media_type="application/json")
        history = await conn.fetch(HISTORY, [a["id"] for a in apps])
        messages = await conn.fetch(MESSAGES, project_id)
    by_app: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for h in history:
        by_app[h["application_id"]].append(
            {
                "fromStatus": h["from_status"],
                "toStatus": h["to_status"],
                "actorName": h["actor_label"],
                "actor": None if h["actor_name"] is None else {"name": h["actor_name"]},
                "createdAt": _iso(h["created_at"]),
            }
        )
    project_thread: list[dict[str, Any]] = []
    app_threads: dict[int, list[dict[str, Any]]] = {}
    for m in messages:
        if m["application_id"] is None:
            if m["body"] is not None:
                project_thread.append({"body": m["body"], "authorName": m["author_label"]})
            continue
        thread = app_threads.setdefault(m["application_id"], [])
        if m["body"] is not None:
            thread.append(
                {
                    "body": m["body"],
                    "authorName": m["author_label"],
                    "actingForName": None if m["acting_for"] is None else {"fi": m["acting_for"]},
                }
            )
    nodes = []
    for a in apps[:100]:
        decision = None
        if a["outcome"] is not None and (customer or a["authority_id"] in acting or a["d_shared"]):
            decision = {
                "outcome": a["outcome"],
                "decidedOn": _iso(a["decided_on"]),
                "summary": a["summary"],
            }
        app_thread: dict[str, Any] | None = None
        if a["id"] in app_threads and (customer or visible[a["id"]]):
            app_thread = {"messages": {"nodes": app_threads[a["id"]][:100]}}
        nodes.append(
            {
                "id": gid("Application", a["id"]),
                "status": a["status"],
                "statusLabel": {"fi": LABELS[a["status"]]["fi"]},
                "submittedAt": _iso(a["submitted_at"]),
                "permitType": {"code": a["pt_code"], "name": {"fi": a["pt_name"]}},
                "authority": {"code": a["a_code"], "name": {"fi": a["a_name"]}},
                "assignedTo": None if a["assigned_name"] is None else {"name": a["assigned_name"]},
                "statusHistory": {"nodes": by_app[a["id"]][:100]},
                "decision": decision,
                "thread": app_thread,
            }
        )
    data = {
        "data": {
            "project": {
                "id": gid("Project", project["id"]),
                "name": project["name"],
                "municipality": {
                    "code": project["municipality_id"],
                    "name": {"fi": project["municipality_name"]},
                },
                "owner": {
                    "__typename": "Organisation"
                    if project["owner_organisation_id"] is not None
                    else "Person"
                },
                "thread": {
                    "messages": {"totalCount": len(project_thread), "nodes": project_thread[:20]}
                },
                "applications": {"totalCount": len(apps), "nodes": nodes},
            }
        }
    }
    return Response(orjson.dumps(data), media_type="application/json")


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    global POOL
    url = os.environ["FLOOR_DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    POOL = await asyncpg.create_pool(url, min_size=2, max_size=10)
    try:
        yield
    finally:
        await POOL.close()


app = Starlette(
    routes=[Route("/graphql", overview, methods=["POST"]), Route("/healthz", health)],
    lifespan=lifespan,
)
