"""`make bench`: the whole benchmark in one run (bench/README.md).

    make bench                                     # N = 100,000 projects (1,000,000 applications)
    make bench BENCH_ARGS="--projects 2000 --quick"  # a few minutes, for development

Steps: data set -> SQL statements per request -> read paths (wrk; Luukku, the floor and
PostGraphile interleaved) -> profiles -> write path -> live tracking -> results in
bench/results/YYYY-MM-DD.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import asyncpg

from bench import data, live, loadgen, outbox, procs, profile, report, servers, writes
from bench.procs import PYTHON, ROOT, WORK, BenchError, Server, loadavg, quiesce
from bench.queries import INBOX, OVERVIEW, OVERVIEW_POSTGRAPHILE, PROJECTS, gid

RESULTS = ROOT / "bench" / "results"
SMALL_SIZES = (10, 1000)
_started = time.monotonic()
_log_file: Any = None


def log(message: str) -> None:
    line = f"[{time.monotonic() - _started:7.1f}s] {message}"
    print(line, flush=True)
    if _log_file is not None:
        _log_file.write(line + "\n")
        _log_file.flush()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--projects", type=int, default=100_000, help="N projects (x10 applications)")
    p.add_argument("--quick", action="store_true", help="short runs and fewer subscribers")
    p.add_argument(
        "--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server"
    )
    p.add_argument("--database", default="luukku_bench", help="benchmark database (luukku_bench*)")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    p.add_argument("--connections", type=int, default=32, help="wrk concurrency")
    p.add_argument("--duration", type=float, help="seconds per wrk run (10; quick 5)")
    p.add_argument("--rounds", type=int, help="interleaved rounds per target (5; quick 3)")
    p.add_argument("--latency-rounds", type=int, help="rounds at concurrency 1 (3; quick 2)")
    p.add_argument("--write-seconds", type=float, help="seconds per write phase (60; quick 10)")
    p.add_argument("--write-concurrency", type=int, default=8)
    p.add_argument("--subscribers", type=int, help="subscribers on one worker (1000; quick 200)")
    p.add_argument(
        "--subscribers-big", type=int, help="subscribers on 2 workers (5000; quick 1000)"
    )
    p.add_argument("--events", type=int, default=5, help="status changes per live scenario")
    p.add_argument(
        "--no-compression", action="store_true", help="subscribers without permessage-deflate"
    )
    p.add_argument(
        "--skip-data", action="store_true", help="reuse the database when it has N projects"
    )
    p.add_argument(
        "--only", default="", help="comma list of: sql,reads,profile,writes,live,outbox,stats"
    )
    p.add_argument(
        "--outbox-items", type=int, help="items per kind for the outbox (2000; quick 500)"
    )
    p.add_argument("--no-profile", action="store_true")
    p.add_argument("--output", type=Path, help="results file (bench/results/YYYY-MM-DD.md)")
    args = p.parse_args(argv)
    quick = args.quick
    args.duration = args.duration or (5 if quick else 10)
    args.rounds = args.rounds or (3 if quick else 5)
    args.latency_rounds = args.latency_rounds or (2 if quick else 3)
    args.write_seconds = args.write_seconds or (10 if quick else 60)
    args.subscribers = args.subscribers or (200 if quick else 1000)
    args.subscribers_big = args.subscribers_big or (1000 if quick else 5000)
    args.outbox_items = args.outbox_items or (500 if quick else 2000)
    args.steps = {s.strip() for s in args.only.split(",") if s.strip()} or {
        "sql",
        "reads",
        "profile",
        "writes",
        "live",
        "outbox",
        "stats",
    }
    if args.no_profile:
        args.steps.discard("profile")
    data.check_name(args.database)
    return args


# --- preparation ----------------------------------------------------------------------------


def raise_open_files(needed: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < needed:
        log(f"warning: ulimit -n is {hard}, below the {needed} sockets the live step needs")
    return hard


async def db_meta(url: str) -> dict[str, Any] | None:
    try:
        conn = await asyncpg.connect(url)
    except (asyncpg.InvalidCatalogNameError, OSError):
        return None
    try:
        rows = await conn.fetch("SELECT key, value::text FROM bench.meta")
        return {r["key"]: json.loads(r["value"]) for r in rows}
    except asyncpg.UndefinedTableError:
        return None
    finally:
        await conn.close()


async def actors(url: str, authority_code: str | None = None) -> dict[str, Any]:
    """Who does what: the authority with the most submitted applications and its handlers,
    projects it is involved in, customers with projects, tokens."""
    conn = await asyncpg.connect(url)
    try:
        meta = {
            r["key"]: json.loads(r["value"])
            for r in await conn.fetch("SELECT key, value::text FROM bench.meta")
        }
        salt = meta["salt"]
        if authority_code is None:
            authority_code = await conn.fetchval(
                """SELECT o.code FROM application a JOIN organisation o ON o.id = a.authority_id
                   WHERE a.submitted_at IS NOT NULL GROUP BY o.code ORDER BY count(*) DESC, o.code LIMIT 1"""
            )
        authority = await conn.fetchrow(
            "SELECT id, code, name->>'fi' AS name FROM organisation WHERE code = $1", authority_code
        )
        if authority is None:
            raise BenchError(f"no authority {authority_code}")
        # a typical authority too: the median of the open inbox sizes
        sizes = await conn.fetch(
            """SELECT o.id, o.code, count(*) AS open FROM application a JOIN organisation o ON o.id = a.authority_id
               WHERE a.submitted_at IS NOT NULL AND a.status IN ('NOT_STARTED', 'IN_PROGRESS', 'INFORMATION_REQUESTED')
               GROUP BY o.id, o.code ORDER BY count(*), o.code"""
        )
        typical = sizes[len(sizes) // 2] if sizes else None
        typical_handlers = [
            r["person_id"]
            for r in await conn.fetch(
                "SELECT person_id FROM bench.handler WHERE authority_id = $1 ORDER BY k",
                typical["id"] if typical else 0,
            )
        ]
        handlers = [
            r["person_id"]
            for r in await conn.fetch(
                "SELECT person_id FROM bench.handler WHERE authority_id = $1 ORDER BY k",
                authority["id"],
            )
        ]
        projects = [
            r["project_id"]
            for r in await conn.fetch(
                """SELECT DISTINCT project_id FROM application WHERE authority_id = $1
               AND (submitted_at IS NOT NULL OR (status = 'DRAFT' AND is_shared))""",
                authority["id"],
            )
        ]
        customers = [
            r["created_by_id"]
            for r in await conn.fetch(
                "SELECT DISTINCT created_by_id FROM project ORDER BY created_by_id"
            )
        ]
        inbox_total = await conn.fetchval(
            """SELECT count(*) FROM application WHERE authority_id = $1 AND submitted_at IS NOT NULL
               AND status IN ('NOT_STARTED', 'IN_PROGRESS', 'INFORMATION_REQUESTED')""",
            authority["id"],
        )
        counts = {
            "projects": await conn.fetchval("SELECT count(*) FROM project"),
            "applications": await conn.fetchval("SELECT count(*) FROM application"),
            "authority_applications": await conn.fetchval(
                "SELECT count(*) FROM application WHERE authority_id = $1", authority["id"]
            ),
            "inbox_total": inbox_total,
        }
    finally:
        await conn.close()

    def token(person: int) -> str:
        return f"lk_bench_{salt}_{person}"

    rng = random.Random(42)
    return {
        "salt": salt,
        "meta": meta,
        "authority": dict(authority),
        "handler_tokens": [token(h) for h in handlers],
        "typical": {"code": typical["code"], "open": typical["open"]} if typical else None,
        "typical_tokens": [token(h) for h in typical_handlers],
        "projects": rng.sample(projects, min(len(projects), 20_000)),
        "customer_tokens": [token(c) for c in rng.sample(customers, min(len(customers), 2_000))],
        "customers": customers,
        "counts": counts,
    }


# --- SQL statements per request ---------------------------------------------------------------


async def count_requests(url: str, authority_code: str) -> list[dict[str, Any]]:
    who = await actors(url, authority_code)
    conn = await asyncpg.connect(url)
    try:
        # a project of the authority with as many kinds of rows as possible
        # The statement count depends on which kinds of rows a project has (an
        # assignee, authors of messages, a decision), not on N: compare like with like.
        project = await conn.fetchval(
            """SELECT a.project_id FROM application a
               LEFT JOIN decision d ON d.application_id = a.id
               LEFT JOIN thread t ON t.application_id = a.id
               WHERE a.project_id = ANY($1::int[])
               GROUP BY a.project_id
               ORDER BY (count(a.assigned_to_id) > 0)::int DESC,
                        (count(d.id) > 0)::int DESC,
                        (bool_or(EXISTS (SELECT 1 FROM message m WHERE m.thread_id = t.id)))::int DESC,
                        count(DISTINCT a.status) DESC, a.project_id
               LIMIT 1""",
            who["projects"],
        )
        customer = await conn.fetchval(
            """SELECT created_by_id FROM project GROUP BY created_by_id
               ORDER BY count(*) DESC, created_by_id LIMIT 1"""
        )
    finally:
        await conn.close()
    if project is None:
        raise BenchError(f"no project involves {authority_code} in {url.rsplit('/', 1)[-1]}")
    handler = who["handler_tokens"][0]
    requests = [
        {
            "name": "(a) overview",
            "query": OVERVIEW,
            "variables": {"id": gid("Project", project)},
            "token": handler,
        },
        {"name": "(b) projects", "query": PROJECTS, "token": f"lk_bench_{who['salt']}_{customer}"},
        {"name": "(c) inbox", "query": INBOX, "token": handler},
    ]
    out = subprocess.run(
        [PYTHON, "-m", "bench.sqlcount", url, json.dumps(requests)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("COUNTS ")), None)
    if out.returncode != 0 or line is None:
        raise BenchError(f"statement count failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    results: list[dict[str, Any]] = json.loads(line[7:])
    for r in results:
        if r["errors"] or r["status"] != 200:
            raise BenchError(f"statement count: {r['name']} failed: {r['errors']}")
    return results


def sql_counts(args: argparse.Namespace, main_url: str, authority_code: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for size in SMALL_SIZES:
        name = f"{args.database}_n{size}"
        url = data.server_url(args.server, name)
        asyncio.run(data.build(args.server, name, size, lambda m: None))
        try:
            result[str(size)] = asyncio.run(count_requests(url, authority_code))
        finally:
            asyncio.run(data.drop_database(args.server, name))
    result[str(args.projects)] = asyncio.run(count_requests(main_url, authority_code))
    for n, rows in result.items():
        log("  N=" + n + ": " + ", ".join(f"{r['name']} {r['count']}" for r in rows))
    return result


# --- read paths -------------------------------------------------------------------------------


async def xacts(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(
            await conn.fetchval(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
            )
        )
    finally:
        await conn.close()


def measured(
    binary: str, target: loadgen.Target, connections: int, seconds: float, url: str
) -> loadgen.Run:
    waited = quiesce(target.pids)
    if waited > 2:
        log(f"    (waited {waited:.1f} s for the server and PostgreSQL to become idle)")
    before = asyncio.run(xacts(url))
    result = loadgen.run_wrk(binary, target, connections, seconds)
    after = asyncio.run(xacts(url))
    result.detail["pg_xacts_per_request"] = (after - before - 2) / max(1, result.requests)
    if result.failures:
        log(f"    warning: {target.name}: {result.failures} failed responses {result.detail}")
    return result


def check_same_json(
    luukku_url: str, floor_url: str, peer_url: str, who: dict[str, Any]
) -> dict[str, Any]:
    """The floor must answer exactly what Luukku answers; PostGraphile must find the projects."""
    import httpx

    handler = {"Authorization": f"Bearer {who['handler_tokens'][0]}"}
    same = different = 0
    sizes: dict[str, list[int]] = {"luukku": [], "floor": [], "postgraphile": []}
    first_difference = None
    with httpx.Client(timeout=30) as http:
        for project in who["projects"][:25]:
            body = {"query": OVERVIEW, "variables": {"id": gid("Project", project)}}
            a = http.post(f"{luukku_url}/graphql", json=body, headers=handler)
            b = http.post(f"{floor_url}/graphql", json=body, headers=handler)
            c = http.post(
                f"{peer_url}/graphql",
                json={"query": OVERVIEW_POSTGRAPHILE, "variables": {"id": project}},
            )
            sizes["luukku"].append(len(a.content))
            sizes["floor"].append(len(b.content))
            sizes["postgraphile"].append(len(c.content))
            if a.json() == b.json() and a.json()["data"]["project"] is not None:
                same += 1
            else:
                different += 1
                first_difference = first_difference or (a.text[:500], b.text[:500])
            if (
                c.status_code != 200
                or c.json().get("errors")
                or c.json()["data"]["project"] is None
            ):
                raise BenchError(f"PostGraphile cannot read project {project}: {c.text[:500]}")
    if different:
        raise BenchError(
            f"the floor's JSON differs from Luukku's in {different} of 25: {first_difference}"
        )
    return {"same": same, "bytes": {k: statistics.median(v) for k, v in sizes.items()}}


def summarise_runs(runs: list[loadgen.Run]) -> dict[str, Any]:
    def med(key: str) -> float:
        return float(statistics.median(getattr(r, key) for r in runs))

    requests = sum(r.requests for r in runs)
    return {
        "runs": len(runs),
        "rps": med("rps"),
        "rps_min": min(r.rps for r in runs),
        "rps_max": max(r.rps for r in runs),
        "p50_ms": med("p50_ms"),
        "p99_ms": med("p99_ms"),
        "p99_min": min(r.p99_ms for r in runs),
        "p99_max": max(r.p99_ms for r in runs),
        "failures": sum(r.failures for r in runs),
        "requests": requests,
        "server_ms_per_req": 1000 * sum(r.cpu["server"] for r in runs) / max(1, requests),
        "pg_ms_per_req": 1000 * sum(r.cpu["postgres"] for r in runs) / max(1, requests),
        "other_cpu_share": sum(r.cpu["other"] for r in runs)
        / max(1e-9, sum(r.cpu["seconds"] for r in runs)),
        "xacts_per_req": statistics.median(r.detail["pg_xacts_per_request"] for r in runs),
        "each": [
            {
                "rps": r.rps,
                "p50_ms": r.p50_ms,
                "p99_ms": r.p99_ms,
                "cpu": r.cpu,
                "failures": r.failures,
            }
            for r in runs
        ],
    }


def reads(
    args: argparse.Namespace,
    url: str,
    who: dict[str, Any],
    wrk: str,
    luukku_server: Server,
    want_profile: bool,
) -> dict[str, Any]:
    peer_version = servers.ensure_peer(log)
    log(f"reads: starting the floor and PostGraphile {peer_version}")
    floor = servers.floor(url)
    peer: Server | None = None
    try:
        peer = servers.postgraphile(url)
        check = check_same_json(luukku_server.url, floor.url, peer.url, who)
        log(
            f"  the floor's JSON equals Luukku's for {check['same']} projects; sizes {check['bytes']}"
        )
        project_ids = [str(p) for p in who["projects"]]
        gids = [gid("Project", p) for p in who["projects"]]
        a_body = {"query": OVERVIEW, "variables": {"id": "__ID__"}}
        targets = {
            "a:luukku": loadgen.Target(
                "a-luukku",
                luukku_server.url,
                a_body,
                gids,
                who["handler_tokens"],
                luukku_server.worker_pids(),
            ),
            "a:floor": loadgen.Target(
                "a-floor", floor.url, a_body, gids, who["handler_tokens"], floor.worker_pids()
            ),
            "a:postgraphile": loadgen.Target(
                "a-postgraphile",
                peer.url,
                '{"query": ' + json.dumps(OVERVIEW_POSTGRAPHILE) + ', "variables": {"id": __ID__}}',
                project_ids,
                [],
                peer.worker_pids(),
            ),
            "b:luukku": loadgen.Target(
                "b-luukku",
                luukku_server.url,
                {"query": PROJECTS},
                [],
                who["customer_tokens"],
                luukku_server.worker_pids(),
            ),
            "c:luukku": loadgen.Target(
                "c-luukku",
                luukku_server.url,
                {"query": INBOX},
                [],
                who["handler_tokens"],
                luukku_server.worker_pids(),
            ),
        }
        if who["typical_tokens"]:
            targets["c2:luukku"] = loadgen.Target(
                "c2-luukku",
                luukku_server.url,
                {"query": INBOX},
                [],
                who["typical_tokens"],
                luukku_server.worker_pids(),
            )
        warm = max(3.0, args.duration / 2)
        for name, target in targets.items():
            log(f"  warm-up {name} ({warm:.0f} s)")
            quiesce(target.pids)
            loadgen.run_wrk(wrk, target, args.connections, warm)
        runs: dict[str, list[loadgen.Run]] = {k: [] for k in targets}
        c = args.connections
        for round_ in range(1, args.rounds + 1):
            for name, target in targets.items():
                r = measured(wrk, target, c, args.duration, url)
                runs[name].append(r)
                log(
                    f"  round {round_}/{args.rounds} {name:15} c={c}: {r.rps:7.1f} req/s  p50 {r.p50_ms:7.1f} ms"
                    f"  p99 {r.p99_ms:7.1f} ms  (other CPU {r.cpu['other']:.1f} s)"
                )
        latency: dict[str, list[loadgen.Run]] = {k: [] for k in targets}
        for round_ in range(1, args.latency_rounds + 1):
            for name, target in targets.items():
                r = measured(wrk, target, 1, args.duration, url)
                latency[name].append(r)
                log(
                    f"  latency {round_}/{args.latency_rounds} {name:15} c=1: p50 {r.p50_ms:6.2f} ms  p99 {r.p99_ms:6.2f} ms"
                )
        result: dict[str, Any] = {
            "check": check,
            "loaded": {k: summarise_runs(v) for k, v in runs.items()},
            "latency": {k: summarise_runs(v) for k, v in latency.items()},
            "postgraphile_version": peer_version,
        }
        ratios = []
        for i in range(args.rounds):
            luu = runs["a:luukku"][i].rps
            ratios.append(
                {
                    "floor": luu / runs["a:floor"][i].rps,
                    "postgraphile": luu / runs["a:postgraphile"][i].rps,
                }
            )
        result["ratios"] = {
            "luukku_floor": result["loaded"]["a:luukku"]["rps"]
            / result["loaded"]["a:floor"]["rps"],
            "luukku_postgraphile": result["loaded"]["a:luukku"]["rps"]
            / result["loaded"]["a:postgraphile"]["rps"],
            "per_round": ratios,
        }
        if want_profile:
            result["profiles"] = profiles(args, url, wrk, targets)
        return result
    finally:
        if peer is not None:
            peer.stop()
        floor.stop()


def profiles(
    args: argparse.Namespace, url: str, wrk: str, targets: dict[str, loadgen.Target]
) -> dict[str, Any]:
    """py-spy on a separate Luukku process (with the GC meter of bench/instrument), under the
    same wrk load as the measured runs: where the CPU goes, and how much of it is cyclic GC."""
    spy = profile.ensure_py_spy(log)
    if spy is None:
        return {}
    out: dict[str, Any] = {}
    seconds = max(5.0, args.duration)
    stats = WORK / "gc-reads"
    for old in WORK.glob("gc-reads.*"):
        old.unlink()
    server = servers.luukku("luukku-profile", url, extra_env=profile.gc_env(stats))
    try:
        pids = server.worker_pids()
        for name in ("a:luukku", "b:luukku", "c:luukku"):
            target = dataclasses.replace(targets[name], url=server.url, pids=pids)
            loadgen.run_wrk(wrk, target, args.connections, 3)  # warm this process
            raw = WORK / f"profile-{name.replace(':', '-')}.txt"
            raw.unlink(missing_ok=True)
            log(f"  profiling {name} with py-spy ({seconds:.0f} s under wrk)")
            quiesce(pids)
            time.sleep(0.6)
            gc_before = profile.read_gc(stats, pids)
            recorder = profile.record(spy, pids, seconds - 1, raw)
            time.sleep(0.5)
            run = loadgen.run_wrk(wrk, target, args.connections, seconds)
            time.sleep(0.6)
            gc_used = profile.gc_delta(gc_before, profile.read_gc(stats, pids))
            try:
                recorder.wait(timeout=30)
            except subprocess.TimeoutExpired:
                recorder.kill()
            if not raw.exists():
                log(
                    f"    py-spy wrote nothing: {recorder.stdout.read() if recorder.stdout else ''}"
                )
                continue
            out[name] = asdict(profile.summarise(raw))
            out[name]["gc"] = gc_used
            out[name]["server_cpu_s"] = run.cpu["server"]
            out[name]["requests"] = run.requests
            log(
                f"    GC: {gc_used['seconds']:.2f} s of {run.cpu['server']:.2f} s server CPU "
                f"({gc_used['gen2_collections']:.0f} full collections, longest {1000 * gc_used['longest']:.0f} ms)"
            )
    finally:
        server.stop()
    return out


# --- main -----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    mem = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem / 2**20, 1),
        "kernel": os.uname().release,
        "loadavg_start": loadavg(),
        "open_files": resource.getrlimit(resource.RLIMIT_NOFILE)[1],
    }


async def versions(url: str, redis_url: str) -> dict[str, str]:
    import importlib.metadata as md

    conn = await asyncpg.connect(url)
    try:
        pg = await conn.fetchval("SHOW server_version")
        settings = {
            r["name"]: r["setting"]
            for r in await conn.fetch(
                "SELECT name, setting || coalesce(unit, '') AS setting FROM pg_settings WHERE name = ANY($1)",
                ["shared_buffers", "synchronous_commit", "max_connections", "work_mem"],
            )
        }
    finally:
        await conn.close()
    result = {"python": sys.version.split()[0], "postgresql": pg}
    for package in report.PACKAGES:
        with contextlib.suppress(md.PackageNotFoundError):
            result[package] = md.version(package)
    result["node"] = servers.node_version()
    try:
        from redis import Redis

        info = Redis.from_url(redis_url, socket_connect_timeout=2).info("server")
        result["redis-server"] = str(info.get("redis_version"))
    except Exception as exc:
        result["redis-server"] = f"unreachable ({exc.__class__.__name__})"
    result["pg_settings"] = ", ".join(f"{k}={v}" for k, v in sorted(settings.items()))
    return result


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    global _log_file
    args = parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    _log_file = (WORK / "run.log").open("w")
    signal.signal(signal.SIGTERM, _interrupt)
    today = dt.date.today().isoformat()
    output = args.output or RESULTS / f"{today}.md"
    results: dict[str, Any] = {
        "date": today,
        "args": {
            k: (sorted(v) if isinstance(v, set) else str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()
        },
    }
    results["machine"] = machine()
    raise_open_files(2 * args.subscribers_big + 1000)
    url = data.server_url(args.server, args.database)
    procs.DATABASE = args.database
    log(
        f"bench: N={args.projects} projects into {args.database}; steps {sorted(args.steps)}; results -> {output}"
    )
    try:
        wrk = loadgen.ensure_wrk(log)
        results["versions"] = asyncio.run(
            versions(data.server_url(args.server, "postgres"), args.redis)
        )
        results["versions"]["wrk"] = loadgen.wrk_version(wrk)
        servers.ensure_peer(log)
        # 1. data
        meta = asyncio.run(db_meta(url))
        if args.skip_data and meta and meta.get("projects") == args.projects:
            log(f"data: reusing {args.database} ({args.projects} projects)")
            results["data"] = {"reused": True}
        else:
            built = data.build(args.server, args.database, args.projects, log)
            results["data"] = asdict(asyncio.run(built))
        who = asyncio.run(actors(url))
        results["actors"] = {
            "authority": who["authority"],
            "handlers": len(who["handler_tokens"]),
            "overview_projects": len(who["projects"]),
            "customers_sampled": len(who["customer_tokens"]),
            "counts": who["counts"],
            "typical": who["typical"],
        }
        log(
            f"actors: authority {who['authority']['code']} ({who['counts']['authority_applications']} applications, "
            f"{who['counts']['inbox_total']} open in the inbox), {len(who['projects'])} of its projects, "
            f"{len(who['customer_tokens'])} customers"
        )
        # 3. statements
        if "sql" in args.steps:
            log(f"sql: statements per request at N={SMALL_SIZES} and N={args.projects}")
            results["sql"] = sql_counts(args, url, who["authority"]["code"])
        # processing-time statistics and the permit plan (the plan issue's benchmark)
        if "stats" in args.steps:
            log("stats: the statistics' window read, processingStatistics and project plans")
            results["stats"] = stats_step(url, who)
            st = results["stats"]
            log(
                f"  {st['explain']['cases']} cases, {st['explain']['histogram_rows']} histogram rows; "
                f"window read {st['window_read']['median_ms']} ms (PostgreSQL "
                f"{st['explain']['execution_ms']:.1f} ms); processingStatistics cold "
                f"{st['statistics_query']['cold']['median_ms']} ms, warm "
                f"{st['statistics_query']['warm']['median_ms']} ms; plan "
                f"{st['plan_query']['median_ms']} ms, {st['plan_query']['statements']} statements"
            )
        # 2. reads, profiles and 4. writes on one Luukku process
        if args.steps & {"reads", "profile", "writes"}:
            log("luukku: starting `luukku serve --workers 1`")
            luukku_server = servers.luukku("luukku", url)
            try:
                if "reads" in args.steps:
                    results["reads"] = reads(
                        args, url, who, wrk, luukku_server, "profile" in args.steps
                    )
                if "writes" in args.steps:
                    log(
                        f"writes: {args.write_seconds:.0f} s of submissions, then {args.write_seconds:.0f} s of status changes"
                    )
                    live_from = args.projects - data.LIVE_PROJECTS + 1
                    results["writes"] = asyncio.run(
                        writes.run(
                            luukku_server.url,
                            url,
                            who["salt"],
                            args.write_seconds,
                            args.write_concurrency,
                            live_from,
                            luukku_server.worker_pids(),
                        )
                    )
                    s, h = results["writes"]["submissions"], results["writes"]["status_changes"]
                    log(
                        f"  submissions {s['submissions_per_s']:.1f}/s (lost {s['lost']}, duplicated {s['duplicated']}, "
                        f"wrong {s['wrong_state']}); status changes {h['status_changes_per_s']:.1f}/s "
                        f"(lost {h['lost']}, duplicated {h['duplicated']}, wrong {h['wrong_state']})"
                    )
            finally:
                luukku_server.stop()
        # 5. live tracking
        if "live" in args.steps:
            results["live"] = live_step(args, url, who)
        # the outbox (the notices issue's benchmark)
        if "outbox" in args.steps:
            log(
                f"outbox: {args.outbox_items} e-mails and {args.outbox_items} deliveries, one worker"
            )
            results["outbox"] = asyncio.run(outbox.run(url, args.outbox_items, log))
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130
    except BenchError as exc:
        log(f"FAILED: {exc}")
        results["failed"] = str(exc)
        _write(results, output)
        return 1
    except Exception as exc:
        import traceback

        log("FAILED:\n" + traceback.format_exc())
        results["failed"] = repr(exc)
        _write(results, output)
        return 1
    results["machine"]["loadavg_end"] = loadavg()
    results["elapsed_s"] = time.monotonic() - _started
    _write(results, output)
    log(f"done in {results['elapsed_s'] / 60:.1f} min: {output}")
    return 0


def stats_step(url: str, who: dict[str, Any]) -> dict[str, Any]:
    projects = [gid("Project", p) for p in who["projects"][:50]]
    out = subprocess.run(
        [PYTHON, "-m", "bench.stats", url, who["handler_tokens"][0], json.dumps(projects)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("STATS ")), None)
    if out.returncode != 0 or line is None:
        raise BenchError(f"stats failed:\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(line[6:])
    return result


def live_step(args: argparse.Namespace, url: str, who: dict[str, Any]) -> dict[str, Any]:
    scenarios = [
        live.Scenario("1 worker, memory://", 1, "memory", args.subscribers, args.events, 2),
        live.Scenario("2 workers, Redis", 2, "redis", args.subscribers, args.events, 2),
        live.Scenario("2 workers, Redis, big", 2, "redis", args.subscribers_big, args.events, 4),
    ]

    async def projects() -> list[live.LiveProject]:
        conn = await asyncpg.connect(url)
        try:
            return await live.live_projects(conn, who["salt"], len(scenarios), args.events)
        finally:
            await conn.close()

    chosen = asyncio.run(projects())
    if len(chosen) < len(scenarios):
        raise BenchError(
            f"need {len(scenarios)} projects with {args.events} NOT_STARTED applications"
        )
    out: dict[str, Any] = {"compression": not args.no_compression, "scenarios": []}
    for scenario, project in zip(scenarios, chosen, strict=True):
        log(
            f"live: {scenario.name}, {scenario.subscribers} subscribers on project {project.project_id}"
        )
        out["scenarios"].append(
            live.run(scenario, url, project, args.redis, not args.no_compression, log)
        )
    spy = profile.ensure_py_spy(log) if "profile" in args.steps else None
    if spy is not None:
        more = asyncio.run(
            projects_after(url, who["salt"], args.events, {p.project_id for p in chosen})
        )
        if more is None:
            log("live: no project left for the profiling pass")
        else:
            scenario = dataclasses.replace(scenarios[0], name="1 worker, memory://, profiled")
            log(
                f"live: profiling pass ({scenario.subscribers} subscribers, py-spy and the GC meter)"
            )
            raw = WORK / "profile-live-1w.txt"
            stats = WORK / "gc-live"
            for old in WORK.glob("gc-live.*"):
                old.unlink()
            run = live.run(
                scenario,
                url,
                more,
                args.redis,
                not args.no_compression,
                log,
                spy=spy,
                profile_out=raw,
                extra_env=profile.gc_env(stats),
                gc_stats=stats,
            )
            if raw.exists():
                out["profile"] = {
                    **asdict(profile.summarise(raw)),
                    "gc": run.get("gc"),
                    "server_cpu_s": run["server_cpu_s"],
                }
                out["profile_run"] = {
                    k: run[k] for k in ("p50_ms", "p99_ms", "lost", "kb_per_subscription")
                }
    return out


async def projects_after(
    url: str, salt: str, events: int, used: set[int]
) -> live.LiveProject | None:
    conn = await asyncpg.connect(url)
    try:
        for project in await live.live_projects(conn, salt, len(used) + 1, events):
            if project.project_id not in used:
                return project
        return None
    finally:
        await conn.close()


def _write(results: dict[str, Any], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    (WORK / f"results-{results['date']}.json").write_text(
        json.dumps(results, indent=1, default=str)
    )
    output.write_text(report.markdown(results))


if __name__ == "__main__":
    sys.exit(main())
