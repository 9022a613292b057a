"""Processing-time statistics and the permit plan: what they cost at the benchmark's size.

Runs in its own process (Tortoise's connections are process-wide), in-process like
bench/sqlcount.py, against the benchmark database:

    python -m bench.stats <database url> <handler token> <project global ids json>

Measures (the data step times `luukku statistics rebuild` over the whole status history;
this step rebuilds only a database that has no statistics yet): the histogram rows
and cases it gives; the window's grouped read (`actions.statistics.snapshot`, cold: the
cache cleared before each read) and PostgreSQL's EXPLAIN ANALYZE of its statement;
`processingStatistics` for every permit type through the GraphQL app, cold and warm;
`project { plan }` for sampled projects (statements and time); and what one status change
adds to keep the statistics. Prints one line `STATS {json}`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import statistics as stats
import sys
import time
from typing import Any

import asyncpg
import httpx

from tests.sqlcount import QueryCounter

PLAN = """query($id: ID!) { project(id: $id) { plan { isStartAtRisk expectedReadyOn
  entries { expectedDecisionDate recommendedApplicationDate decisionNeededBy basis }
  criticalPath { id } warnings { code } } } }"""
#: the same project without the plan, measured interleaved: what the plan adds
BASE = (
    """query($id: ID!) { project(id: $id) { id startsOn applications { nodes { id status } } } }"""
)
STATISTICS = """{ processingStatistics { permitType { code } decision { count medianDays p80Days }
  firstHandling { medianDays } customerWait { medianDays } withinTypicalShare } }"""


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(stats.median(ordered) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "n": len(ordered),
    }


async def _explain(url: str, start: Any) -> dict[str, Any]:
    conn = await asyncpg.connect(url.split("?")[0])
    try:
        plan = await conn.fetchval(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT permit_type_id, authority_id, metric, days, "
            "SUM(cases), SUM(within_typical) FROM processing_histogram WHERE period >= $1 "
            "GROUP BY permit_type_id, authority_id, metric, days",
            start,
        )
        rows = await conn.fetchval("SELECT count(*) FROM processing_histogram")
        cases = await conn.fetchval("SELECT count(*) FROM processing_case")
        decided = await conn.fetchval(
            "SELECT sum(cases) FROM processing_histogram WHERE metric = 'DECISION'"
        )
    finally:
        await conn.close()
    top = json.loads(plan)[0]
    return {
        "execution_ms": top["Execution Time"],
        "histogram_rows": rows,
        "cases": cases,
        "decided_cases": decided,
    }


async def run(url: str, token: str, projects: list[str]) -> dict[str, Any]:
    from actions import statistics
    from app.db import close_db, init_db
    from app.main import create_app
    from notifications.bus import start_bus, stop_bus

    await init_db(url)
    await start_bus("memory://")
    logger = logging.getLogger("tortoise.db_client")
    counter = QueryCounter()
    logger.addHandler(counter)
    result: dict[str, Any] = {}
    try:
        from models import ProcessingCase

        if not await ProcessingCase.exists():  # a database from before: the data step rebuilds
            started = time.perf_counter()
            result["rebuild_cases"] = await statistics.rebuild()
            result["rebuild_s"] = round(time.perf_counter() - started, 1)
        snapshot = await statistics.snapshot()
        result["explain"] = await _explain(url, snapshot.window_start)
        reads = []
        for _ in range(20):
            statistics.invalidate()
            t = time.perf_counter()
            await statistics.snapshot()
            reads.append(time.perf_counter() - t)
        result["window_read"] = _ms(reads)
        app = create_app(manage_db=False)
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def post(query: str, variables: dict[str, Any] | None = None) -> float:
                t = time.perf_counter()
                response = await client.post(
                    "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
                )
                elapsed = time.perf_counter() - t
                body = response.json()
                if body.get("errors") or response.status_code != 200:
                    raise RuntimeError(f"{query[:40]}: {body.get('errors')}")
                return elapsed

            await post(STATISTICS)  # warm: parser, validation, the catalogue
            cold, warm = [], []
            for _ in range(20):
                statistics.invalidate()
                cold.append(await post(STATISTICS))
                warm.append(await post(STATISTICS))
            counter.statements.clear()
            logger.setLevel(logging.DEBUG)
            await post(STATISTICS)
            result["statistics_query"] = {
                "cold": _ms(cold),
                "warm": _ms(warm),
                "statements_warm": len(counter.statements),
            }
            plans, bases, statements = [], [], []
            for project in projects[:50]:
                await post(PLAN, {"id": project})  # warm this project's loaders' paths
                counter.statements.clear()
                plans.append(await post(PLAN, {"id": project}))
                statements.append(len(counter.statements))
                bases.append(await post(BASE, {"id": project}))
            logger.setLevel(logging.WARNING)
            result["plan_query"] = {
                **_ms(plans),
                "statements": sorted(set(statements)),
                "without_plan": _ms(bases),
            }
    finally:
        logger.removeHandler(counter)
        await stop_bus()
        await close_db()
    return result


def main() -> None:
    url, token, raw = sys.argv[1], sys.argv[2], sys.argv[3]
    print("STATS " + json.dumps(asyncio.run(run(url, token, json.loads(raw))), default=str))


if __name__ == "__main__":
    main()
