"""The write path: submissions and handler status changes, sustained, then checked in the database.

Submissions: customers add an application to one of their projects (a permit type offered
in its municipality that the project does not have yet), fill it in and submit it:
applicationCreate + applicationUpdate + applicationSubmit. Status changes: handlers move
submitted applications of their authority from NOT_STARTED to IN_PROGRESS
(applicationStatusUpdate); every tenth is sent twice at once by two handlers with the same
expectedVersion, so exactly one must win and the other get STALE_VERSION (or an invalid
transition).

Afterwards the database must agree with what was acknowledged: every acknowledged
submission exists once, at version 3, NOT_STARTED, with its 2 history rows and its thread,
and no application was created that was not acknowledged; every acknowledged status change
is there once (version + 1, IN_PROGRESS, one new history row), and none that was refused.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from bench.data import example_content
from bench.procs import CpuWindow
from bench.queries import (
    APPLICATION_CREATE,
    APPLICATION_SUBMIT,
    APPLICATION_UPDATE,
    STATUS_UPDATE,
    db_id,
    gid,
)
from models.statuses import FINAL


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    user_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failures: list[str] = field(default_factory=list)

    def fail(self, what: str) -> None:
        if len(self.failures) < 20:
            self.failures.append(what[:300])


async def _post(
    http: httpx.AsyncClient,
    tally: Tally,
    name: str,
    query: str,
    variables: dict[str, Any],
    token: str,
) -> dict[str, Any] | None:
    started = time.perf_counter()
    try:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    except httpx.HTTPError as exc:
        tally.fail(f"{name}: {exc!r}")
        return None
    tally.latencies[name].append(1000 * (time.perf_counter() - started))
    if response.status_code != 200:
        tally.fail(f"{name}: HTTP {response.status_code} {response.text[:200]}")
        return None
    data = response.json()
    if data.get("errors"):
        tally.fail(f"{name}: {data['errors']}")
        return None
    payload: dict[str, Any] = next(iter(data["data"].values()))
    for error in payload.get("userErrors") or []:
        tally.user_errors[f"{name}: {error['code']}"] += 1
    return payload


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _latency_table(tally: Tally) -> dict[str, dict[str, float]]:
    return {
        name: {"count": len(v), "p50_ms": _pct(v, 50), "p99_ms": _pct(v, 99)}
        for name, v in tally.latencies.items()
    }


async def submissions(
    url: str, conn: asyncpg.Connection, salt: str, seconds: float, concurrency: int, live_from: int
) -> dict[str, Any]:
    """customers: applicationCreate + applicationUpdate + applicationSubmit, for `seconds`,
    of permit types that require no attachment."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (p.id) p.id AS project_id, p.created_by_id AS customer,
                  pt.id AS permit_type_id, pt.form_schema::text AS form
           FROM (SELECT * FROM project WHERE id < $1 ORDER BY random() LIMIT $2) p
           JOIN municipality m ON m.code = p.municipality_id
           JOIN permit_type pt ON true
           JOIN organisation o ON o.id = pt.authority_id
           WHERE ((o.scope = 'NATIONAL' AND NOT m.is_aland) OR o.municipalities ? p.municipality_id)
             -- a required attachment would refuse the submission (uploads: bench/upload.py)
             AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(pt.attachment_requirements) r
                              WHERE (r->>'required')::boolean)
             AND NOT EXISTS (SELECT 1 FROM application a WHERE a.project_id = p.id
                              AND a.permit_type_id = pt.id AND a.status <> ALL($3::text[]))
           ORDER BY p.id, random()""",
        live_from,
        4000,
        sorted(s.value for s in FINAL),
    )
    # one permit type per project, so that concurrent items never collide
    contents: dict[int, dict[str, Any]] = {}
    items: list[dict[str, Any]] = []
    for row in rows:
        if row["permit_type_id"] not in contents:
            contents[row["permit_type_id"]] = example_content(json.loads(row["form"]))
        items.append(
            {
                "project_id": row["project_id"],
                "permit_type_id": row["permit_type_id"],
                "token": f"lk_bench_{salt}_{row['customer']}",
            }
        )
    random.shuffle(items)
    max_before = await conn.fetchval("SELECT coalesce(max(id), 0) FROM application")
    tally = Tally()
    acked: list[dict[str, Any]] = []
    queue = iter(items)
    deadline = time.monotonic() + seconds

    async def worker(http: httpx.AsyncClient) -> None:
        for item in queue:
            if time.monotonic() > deadline:
                return
            token = item["token"]
            created = await _post(
                http,
                tally,
                "applicationCreate",
                APPLICATION_CREATE,
                {
                    "input": {
                        "projectId": gid("Project", item["project_id"]),
                        "permitTypeId": gid("PermitType", item["permit_type_id"]),
                    }
                },
                token,
            )
            if not created or not created.get("application"):
                continue
            app = created["application"]
            record = {"id": db_id(app["id"]), "created": True, "updated": False, "submitted": False}
            acked.append(record)
            updated = await _post(
                http,
                tally,
                "applicationUpdate",
                APPLICATION_UPDATE,
                {
                    "input": {
                        "id": app["id"],
                        "expectedVersion": app["version"],
                        "content": contents[item["permit_type_id"]],
                    }
                },
                token,
            )
            if not updated or not updated.get("application"):
                continue
            record["updated"] = True
            submitted = await _post(
                http,
                tally,
                "applicationSubmit",
                APPLICATION_SUBMIT,
                {"input": {"id": app["id"], "expectedVersion": updated["application"]["version"]}},
                token,
            )
            if submitted and submitted.get("application"):
                record["submitted"] = True

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    # the database's view
    ids = [r["id"] for r in acked]
    rows = await conn.fetch(
        """SELECT a.id, a.version, a.status, a.submitted_at IS NOT NULL AS submitted,
                  (SELECT count(*) FROM status_change s WHERE s.application_id = a.id) AS history,
                  (SELECT count(*) FROM thread t WHERE t.application_id = a.id) AS threads
           FROM application a WHERE a.id > $1""",
        max_before,
    )
    in_db = {r["id"]: r for r in rows}
    lost = duplicated = wrong = 0
    for record in acked:
        found = in_db.get(record["id"])
        if found is None:
            lost += 1
            continue
        row = found
        expected_version = 1 + record["updated"] + record["submitted"]
        expected_history = 1 + record["submitted"]
        if (
            row["history"] > expected_history
            or row["threads"] > 1
            or row["version"] > expected_version
        ):
            duplicated += 1
        elif (
            row["version"] != expected_version
            or row["history"] != expected_history
            or row["threads"] != 1
            or row["submitted"] != record["submitted"]
            or row["status"] != ("NOT_STARTED" if record["submitted"] else "DRAFT")
        ):
            wrong += 1
    unacknowledged = len(set(in_db) - set(ids))
    submitted = sum(r["submitted"] for r in acked)
    return {
        "seconds": elapsed,
        "concurrency": concurrency,
        "items_prepared": len(items),
        "submissions": submitted,
        "submissions_per_s": submitted / elapsed,
        "mutations_per_s": sum(len(v) for v in tally.latencies.values()) / elapsed,
        "created": len(acked),
        "lost": lost,
        "duplicated": duplicated + unacknowledged,
        "wrong_state": wrong,
        "unacknowledged_rows": unacknowledged,
        "user_errors": dict(tally.user_errors),
        "failures": tally.failures,
        "latency": _latency_table(tally),
    }


async def status_changes(
    url: str, conn: asyncpg.Connection, salt: str, seconds: float, concurrency: int, live_from: int
) -> dict[str, Any]:
    """handlers: applicationStatusUpdate NOT_STARTED -> IN_PROGRESS, for `seconds`."""
    rows = await conn.fetch(
        """SELECT a.id, a.version, a.authority_id FROM application a
           WHERE a.status = 'NOT_STARTED' AND a.project_id < $1
           ORDER BY random() LIMIT 20000""",
        live_from,
    )
    handlers: dict[int, list[str]] = defaultdict(list)
    for h in await conn.fetch("SELECT authority_id, person_id FROM bench.handler ORDER BY k"):
        handlers[h["authority_id"]].append(f"lk_bench_{salt}_{h['person_id']}")
    items = [
        {
            "id": r["id"],
            "version": r["version"],
            "tokens": handlers[r["authority_id"]],
            "contested": i % 10 == 0,
        }
        for i, r in enumerate(rows)
    ]
    max_change = await conn.fetchval("SELECT coalesce(max(id), 0) FROM status_change")
    tally = Tally()
    outcome: dict[int, list[bool]] = defaultdict(list)
    queue = iter(items)
    deadline = time.monotonic() + seconds

    async def one(http: httpx.AsyncClient, item: dict[str, Any], token: str) -> None:
        payload = await _post(
            http,
            tally,
            "applicationStatusUpdate",
            STATUS_UPDATE,
            {
                "input": {
                    "id": gid("Application", item["id"]),
                    "expectedVersion": item["version"],
                    "status": "IN_PROGRESS",
                }
            },
            token,
        )
        outcome[item["id"]].append(
            bool(payload and payload.get("application") and not payload.get("userErrors"))
        )

    async def worker(http: httpx.AsyncClient) -> None:
        for item in queue:
            if time.monotonic() > deadline:
                return
            if item["contested"]:
                await asyncio.gather(
                    one(http, item, item["tokens"][0]), one(http, item, item["tokens"][1])
                )
            else:
                await one(http, item, item["tokens"][0])

    limits = httpx.Limits(
        max_connections=concurrency * 2, max_keepalive_connections=concurrency * 2
    )
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    tried = list(outcome)
    rows = await conn.fetch(
        """SELECT a.id, a.version, a.status,
                  (SELECT count(*) FROM status_change s WHERE s.application_id = a.id AND s.id > $2)
                    AS changes
           FROM application a WHERE a.id = ANY($1::int[])""",
        tried,
        max_change,
    )
    in_db = {r["id"]: r for r in rows}
    original = {item["id"]: item["version"] for item in items}
    lost = duplicated = wrong = double_wins = 0
    contested = 0
    for app_id, results in outcome.items():
        row = in_db[app_id]
        wins = sum(results)
        if len(results) > 1:
            contested += 1
            if wins > 1:
                double_wins += 1
        if wins and row["changes"] == 0:
            lost += 1
        elif row["changes"] > 1 or row["version"] > original[app_id] + 1:
            duplicated += 1
        elif wins and (row["status"] != "IN_PROGRESS" or row["version"] != original[app_id] + 1):
            wrong += 1
        elif not wins and row["changes"] != 0:
            wrong += 1  # refused, yet written
    applied = sum(1 for results in outcome.values() if any(results))
    return {
        "seconds": elapsed,
        "concurrency": concurrency,
        "status_changes": applied,
        "status_changes_per_s": applied / elapsed,
        "requests_per_s": sum(len(v) for v in tally.latencies.values()) / elapsed,
        "contested": contested,
        "contested_both_won": double_wins,
        "lost": lost,
        "duplicated": duplicated + double_wins,
        "wrong_state": wrong,
        "user_errors": dict(tally.user_errors),
        "failures": tally.failures,
        "latency": _latency_table(tally),
    }


async def inbox_counts_off(conn: asyncpg.Connection) -> int:
    """(authority, status) keys whose kept inbox count differs from counting the applications."""
    return int(
        await conn.fetchval(
            """SELECT count(*) FROM (
                 SELECT authority_id, status, count(*) AS total FROM application
                 WHERE submitted_at IS NOT NULL GROUP BY authority_id, status) c
               FULL JOIN inbox_count k USING (authority_id, status)
               WHERE coalesce(k.total, 0) <> coalesce(c.total, 0)"""
        )
    )


async def run(
    url: str,
    database_url: str,
    salt: str,
    seconds: float,
    concurrency: int,
    live_from: int,
    pids: list[int],
) -> dict[str, Any]:
    conn = await asyncpg.connect(database_url)
    try:
        with CpuWindow(pids, lambda: []) as cpu_a:
            submit = await submissions(url, conn, salt, seconds, concurrency, live_from)
        submit["server_cpu_s"] = cpu_a.server
        submit["postgres_cpu_s"] = cpu_a.pg
        with CpuWindow(pids, lambda: []) as cpu_b:
            handle = await status_changes(url, conn, salt, seconds, concurrency, live_from)
        handle["server_cpu_s"] = cpu_b.server
        handle["postgres_cpu_s"] = cpu_b.pg
        handle["inbox_counts_off"] = await inbox_counts_off(conn)
    finally:
        await conn.close()
    return {"submissions": submit, "status_changes": handle}
