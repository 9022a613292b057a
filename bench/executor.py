"""Server CPU per request: as deployed, without generated code, without the planner, and with graphql-core (not in make bench).

    python -m bench.executor [--database luukku_bench] [--rounds 25] [--per-round 8]

The app in-process (httpx's ASGITransport, so the whole request path is measured: Starlette,
Strawberry's view, parsing and validation caches, extensions, execution, the SQL through
Tortoise, encoding), with `schema.root.schema` (compiled executor with its generated code,
planned loading at the project, inbox and node roots), the same app with the plans' generic
field loop instead of their generated functions (`CompiledExecutionContext.generated` off
for its requests), with a schema built with `planner=False` (compiled, every
read through the loaders) and with one built with `executor="graphql-core", planner=False`
(Strawberry alone), against a database built by `make bench` or
`python -m bench.data N luukku_bench_<name>`. For (a) the overview, (b) the customer's
projects and (c) the inbox of `bench.queries`, every round runs each variant `--per-round`
times, interleaved (A B A B ...), so that the machine's other work falls on both alike; CPU
is `time.process_time_ns()` of this process per request (PostgreSQL's is not included).
Before measuring, the variants' responses must be equal for each request.

Prints min and median per request and variant, and the ratios compiled / graphql-core,
generated / loop and planned / loaders.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from dataclasses import replace
from typing import Any

import httpx

from bench.data import server_url
from bench.queries import INBOX, OVERVIEW, PROJECTS, gid
from bench.run import actors


async def measure(database: str, rounds: int, per_round: int) -> list[str]:
    from app.db import close_db, init_db
    from app.main import create_app, tune_gc
    from app.throttle import throttle
    from models.settings import get_settings, override_settings
    from notifications.bus import start_bus, stop_bus
    from schema.executor import CompiledExecutionContext
    from schema.root import build_schema

    url = server_url("postgres://postgres@127.0.0.1:5432", database)
    who = await actors(url)
    # as bench/servers.py serves the app: a load generator is one client, not throttled (with
    # THROTTLE_COST the expensive reads each paid an upsert of the throttle's counter)
    override_settings(
        replace(
            get_settings(), environment="production", throttle_cost=(0, 60), throttle_auth=(0, 60)
        )
    )
    throttle.configure(get_settings())
    await init_db(url + "?minsize=1&maxsize=4")
    await start_bus("memory://")
    rng = random.Random(7)
    projects = who["projects"][:200]
    customers = who["customer_tokens"][:200]
    handlers = who["handler_tokens"]
    requests: dict[str, list[tuple[str, dict[str, Any], str]]] = {
        "(a) overview": [
            (OVERVIEW, {"id": gid("Project", p)}, rng.choice(handlers)) for p in projects[:50]
        ],
        "(b) projects": [(PROJECTS, {}, c) for c in customers[:50]],
        "(c) inbox": [(INBOX, {}, h) for h in handlers],
    }
    deployed = create_app(manage_db=False)
    apps = {
        "compiled": deployed,
        "compiled, loop": deployed,
        "compiled, loaders": create_app(
            manage_db=False, graphql_schema=build_schema(executor="compiled", planner=False)
        ),
        "graphql-core": create_app(
            manage_db=False,
            graphql_schema=build_schema(executor="graphql-core", planner=False),
        ),
    }
    clients = {
        name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
        for name, app in apps.items()
    }
    lines: list[str] = []
    try:

        async def post(name: str, query: str, variables: dict[str, Any], token: str) -> Any:
            CompiledExecutionContext.generated = name != "compiled, loop"
            try:
                response = await clients[name].post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
            finally:
                CompiledExecutionContext.generated = True
            assert response.status_code == 200, response.text
            body = response.json()
            assert "errors" not in body, body
            return body

        for label, cases in requests.items():
            for query, variables, token in cases[:10]:
                bodies = [await post(name, query, variables, token) for name in clients]
                assert all(b == bodies[0] for b in bodies), f"{label}: the variants differ"
        tune_gc(get_settings())  # as the app does when it starts (GC_THRESHOLD)
        samples: dict[tuple[str, str], list[float]] = {
            (label, name): [] for label in requests for name in clients
        }
        for _ in range(rounds):
            for label, cases in requests.items():
                for _ in range(per_round):
                    query, variables, token = rng.choice(cases)
                    for name in clients:
                        started = time.process_time_ns()
                        await post(name, query, variables, token)
                        samples[label, name].append((time.process_time_ns() - started) / 1e6)
        lines.append("| request | executor | min ms | median ms |")
        lines.append("|---|---|---:|---:|")
        for label in requests:
            medians = {}
            for name in clients:
                values = samples[label, name]
                medians[name] = statistics.median(values)
                lines.append(f"| {label} | {name} | {min(values):.2f} | {medians[name]:.2f} |")
            for ratio, (top, bottom) in {
                "compiled / graphql-core": ("compiled", "graphql-core"),
                "generated / loop": ("compiled", "compiled, loop"),
                "planned / loaders": ("compiled", "compiled, loaders"),
            }.items():
                lines.append(
                    f"| {label} | {ratio} | "
                    f"{min(samples[label, top]) / min(samples[label, bottom]):.2f} | "
                    f"{medians[top] / medians[bottom]:.2f} |"
                )
    finally:
        for client in clients.values():
            await client.aclose()
        await stop_bus()
        await close_db()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="luukku_bench")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--per-round", type=int, default=8)
    args = parser.parse_args()
    for line in asyncio.run(measure(args.database, args.rounds, args.per_round)):
        print(line)


if __name__ == "__main__":
    main()
