"""What-if runs: process-level changes measured without touching the app's files.

    python -m bench.whatif [--database luukku_bench] [--seconds 8] [--subscribers 1000]

Serves Luukku through `bench.whatif:create_app` (the app's own `create_app`, with the changes
named in WHATIF applied to the process) and measures (a), (b) and the typical authority's
inbox under wrk, at 32 connections and at 1, plus the live fan-out on one worker, for:

- `baseline`: nothing changed (what `luukku serve` runs);
- `gc-freeze`: `gc.collect(); gc.freeze()` once the app is built, so that full collections
  no longer walk the objects of the start-up (schema, modules, ...);
- `gc-tuned`: gc-freeze plus `gc.set_threshold(50_000, 20, 100)`: fewer, larger young
  collections, and far fewer promotions into the old generation;
- `no-reset`: asyncpg's pool no longer sends its reset query (`SELECT pg_advisory_unlock_all();
  CLOSE ALL; UNLISTEN *; RESET ALL`) each time Tortoise releases a connection, i.e. after
  every statement outside a transaction (the app sets no session state it would need reset);
- `gc-tuned+no-reset`.

It needs a database built by `make bench` (the same N). Results: bench/.work/whatif.md. These
are the measurements behind the suggestions in bench/README.md; they are not part of
`make bench`.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import os
import time
from typing import Any

from bench import data, live, loadgen, profile, servers
from bench.procs import WORK, quiesce
from bench.queries import INBOX, OVERVIEW, PROJECTS, gid

CONFIGS = {
    "baseline": "",
    "gc-freeze": "gc-freeze",
    "gc-tuned": "gc-freeze,gc-threshold",
    "no-reset": "no-reset",
    "gc-tuned+no-reset": "gc-freeze,gc-threshold,no-reset",
}


def create_app() -> Any:
    """uvicorn factory: the app, with the process-level changes of WHATIF."""
    changes = set(filter(None, os.environ.get("WHATIF", "").split(",")))
    if "no-reset" in changes:
        import asyncpg.connection

        asyncpg.connection.Connection.get_reset_query = lambda self: ""  # type: ignore[method-assign]  # WHATIF's point
    from app.main import create_app as luukku_app

    app = luukku_app()
    if "gc-freeze" in changes:
        gc.collect()
        gc.freeze()
    if "gc-threshold" in changes:
        gc.set_threshold(50_000, 20, 100)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.whatif")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="luukku_bench")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    args = parser.parse_args()
    from bench.run import actors

    url = data.server_url(args.server, args.database)
    who = asyncio.run(actors(url))
    wrk = loadgen.ensure_wrk(print)
    rows: list[str] = [
        "| change | (a) req/s c=32 | (a) p99 c=32 | (a) p50/p99 c=1 | (b) req/s c=32 | (c) typical p50/p99 c=1 "
        "| server CPU ms/req (a) | GC share (a) | fan-out p50/p99 | fan-out server CPU |",
        "|---|---:|---:|---|---:|---|---:|---:|---|---:|",
    ]
    projects_used: set[int] = set()
    for name in args.configs.split(","):
        stats = WORK / f"gc-whatif-{name}"
        env = {"WHATIF": CONFIGS[name], **profile.gc_env(stats)}
        env["PYTHONPATH"] = env["PYTHONPATH"] + os.pathsep + str(data.ROOT)
        server = servers.luukku(
            f"whatif-{name}", url, extra_env=env, factory="bench.whatif:create_app"
        )
        try:
            pids = server.worker_pids()
            a = loadgen.Target(
                "whatif-a",
                server.url,
                {"query": OVERVIEW, "variables": {"id": "__ID__"}},
                [gid("Project", p) for p in who["projects"]],
                who["handler_tokens"],
                pids,
            )
            b = dataclasses.replace(
                a, name="whatif-b", body={"query": PROJECTS}, ids=[], tokens=who["customer_tokens"]
            )
            c = dataclasses.replace(
                a, name="whatif-c", body={"query": INBOX}, ids=[], tokens=who["typical_tokens"]
            )
            loadgen.run_wrk(wrk, a, 32, 3)
            quiesce(pids)
            gc_before = profile.read_gc(stats, pids)
            a32 = loadgen.run_wrk(wrk, a, 32, args.seconds)
            time.sleep(0.6)
            gc_used = profile.gc_delta(gc_before, profile.read_gc(stats, pids))
            quiesce(pids)
            a1 = loadgen.run_wrk(wrk, a, 1, args.seconds)
            quiesce(pids)
            b32 = loadgen.run_wrk(wrk, b, 32, args.seconds)
            quiesce(pids)
            c1 = loadgen.run_wrk(wrk, c, 1, args.seconds)
        finally:
            server.stop()
        fan = {"p50_ms": float("nan"), "p99_ms": float("nan"), "server_cpu_s": float("nan")}
        project = asyncio.run(_project(url, who["salt"], projects_used))
        if project is not None and args.subscribers:
            projects_used.add(project.project_id)
            scenario = live.Scenario(f"whatif {name}", 1, "memory", args.subscribers, 5, 2)
            fan = live.run(
                scenario,
                url,
                project,
                "redis://127.0.0.1:6379/0",
                True,
                lambda m: None,
                extra_env={"WHATIF": CONFIGS[name], "PYTHONPATH": str(data.ROOT)},
                factory="bench.whatif:create_app",
            )
        line = (
            f"| {name} | {a32.rps:.0f} | {a32.p99_ms:.0f} | {a1.p50_ms:.1f} / {a1.p99_ms:.1f} | {b32.rps:.0f} | "
            f"{c1.p50_ms:.1f} / {c1.p99_ms:.1f} | {1000 * a32.cpu['server'] / max(1, a32.requests):.1f} | "
            f"{100 * gc_used['seconds'] / max(1e-9, a32.cpu['server']):.0f}% | "
            f"{fan['p50_ms']:.0f} / {fan['p99_ms']:.0f} | {fan['server_cpu_s']:.2f} s |"
        )
        rows.append(line)
        print(line, flush=True)
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "whatif.md").write_text("\n".join(rows) + "\n")
    print("\n".join(rows))


async def _project(url: str, salt: str, used: set[int]) -> live.LiveProject | None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        for project in await live.live_projects(conn, salt, len(used) + 1, 5):
            if project.project_id not in used:
                return project
        return None
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
