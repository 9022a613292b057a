"""Live tracking: many projectActivity subscribers, status changes, delivery latency and memory.

One scenario: start Luukku (1 or 2 workers, memory:// or Redis), record the workers' RSS,
connect the subscribers (bench/live_client.py processes), make sure every subscription is
live with probe events (messages posted to the project's thread) until every subscriber has
one, record the RSS again (idle subscriptions), then change the status of `events`
applications of the project one by one (applicationStatusUpdate, NOT_STARTED -> IN_PROGRESS,
as a handler of the addressed authority), and collect every receipt.

Latency of a receipt: the subscriber's clock when the frame arrived minus the event's
`occurredAt` (stamped by the server when the action builds the event, just before the
transaction commits; same machine, same clock), and minus the moment the mutation's HTTP
response arrived (this one can be negative: the server publishes before it answers).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench import profile, servers
from bench.procs import PYTHON, ROOT, WORK, BenchError, CpuWindow, Reader, rss_bytes
from bench.queries import MESSAGE_POST, OVERVIEW, PROJECT_ACTIVITY, STATUS_UPDATE, gid


@dataclass
class LiveProject:
    project_id: int
    thread_id: int
    customer_token: str
    viewer_tokens: list[str]  # the customer and handlers of the involved authorities
    apps: list[tuple[int, int, str]] = field(default_factory=list)  # (id, version, handler token)


@dataclass
class Scenario:
    name: str
    workers: int
    broadcast: str  # memory | redis
    subscribers: int
    events: int
    clients: int  # subscriber processes


class Clients:
    """The subscriber processes of one scenario."""

    def __init__(
        self, url: str, project: LiveProject, count: int, processes: int, compression: bool
    ) -> None:
        WORK.mkdir(parents=True, exist_ok=True)
        tokens = WORK / "live-tokens.txt"
        tokens.write_text("\n".join(project.viewer_tokens) + "\n")
        query = WORK / "live-query.graphql"
        query.write_text(PROJECT_ACTIVITY)
        self.count = count
        self.procs: list[subprocess.Popen[str]] = []
        self.readers: list[Reader] = []
        share = [count // processes + (1 if i < count % processes else 0) for i in range(processes)]
        offset = 0
        for n in share:
            args = [
                PYTHON,
                "-m",
                "bench.live_client",
                "--url",
                url.replace("http://", "ws://") + "/graphql",
                "--count",
                str(n),
                "--tokens-file",
                str(tokens),
                "--query-file",
                str(query),
                "--variables",
                json.dumps({"id": gid("Project", project.project_id)}),
                "--offset",
                str(offset),
            ]
            if not compression:
                args.append("--no-compression")
            offset += n
            proc = subprocess.Popen(
                args,
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            assert proc.stdout is not None  # stdout=PIPE
            reader = Reader(proc.stdout)
            reader.start()
            self.procs.append(proc)
            self.readers.append(reader)

    def wait_ready(self, timeout: float) -> tuple[int, int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = [
                next((x for x in r.lines if x.startswith("READY ")), None) for r in self.readers
            ]
            if all(ready):
                opened = sum(int(x.split()[1]) for x in ready if x)
                failed = sum(int(x.split()[2]) for x in ready if x)
                return opened, failed
            for proc, reader in zip(self.procs, self.readers, strict=True):
                if proc.poll() is not None:
                    raise BenchError("a subscriber process died:\n" + "\n".join(reader.lines[-20:]))
            time.sleep(0.2)
        raise BenchError(f"subscribers not connected after {timeout:.0f} s")

    def stats(self, timeout: float = 60) -> dict[str, Any]:
        """Merged STATS of every process."""
        marks = [len(r.lines) for r in self.readers]
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write("STATS\n")
            proc.stdin.flush()
        merged: dict[str, Any] = {"events": {}, "other": {}, "closed": {}, "errors": []}
        deadline = time.monotonic() + timeout
        for reader, mark in zip(self.readers, marks, strict=True):
            while True:
                line = next((x for x in reader.lines[mark:] if x.startswith("STATS ")), None)
                if line is not None:
                    break
                if time.monotonic() > deadline:
                    raise BenchError("a subscriber process did not answer STATS")
                time.sleep(0.05)
            part = json.loads(line[6:])
            for event_id, info in part["events"].items():
                into = merged["events"].setdefault(event_id, {**info, "receipts": []})
                into["receipts"] += info["receipts"]
            for key in ("other", "closed"):
                for k, v in part[key].items():
                    merged[key][k] = merged[key].get(k, 0) + v
            merged["errors"] += part["errors"]
        return merged

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None and proc.stdin is not None:
                try:
                    proc.stdin.write("QUIT\n")
                    proc.stdin.flush()
                except OSError:
                    pass
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def _change(
    url: str, database_url: str, app_id: int, version: int, token: str
) -> dict[str, float]:
    """applicationStatusUpdate, while another connection polls for the new status: the first
    moment it is visible is the commit (within about a millisecond)."""
    body = {
        "query": STATUS_UPDATE,
        "variables": {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": version,
                "status": "IN_PROGRESS",
            }
        },
    }
    conn = await asyncpg.connect(database_url)
    visible = 0.0
    done = asyncio.Event()

    async def poll() -> None:
        nonlocal visible
        while not done.is_set():
            status = await conn.fetchval("SELECT status FROM application WHERE id = $1", app_id)
            if status == "IN_PROGRESS":
                visible = time.time()
                return
            await asyncio.sleep(0.001)

    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            poller = asyncio.create_task(poll())
            t0 = time.time()
            response = await http.post(
                "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            t1 = time.time()
            await asyncio.wait_for(poller, 5)
            done.set()
    finally:
        await conn.close()
    payload = (response.json().get("data") or {}).get("applicationStatusUpdate") or {}
    if response.status_code != 200 or payload.get("userErrors") or not payload.get("application"):
        raise BenchError(f"status change refused: {response.text[:300]}")
    return {"sent": t0, "response": t1, "visible": visible}


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile by nearest rank (nan for no values)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def _ts(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def run(
    scenario: Scenario,
    database_url: str,
    project: LiveProject,
    redis_url: str,
    compression: bool,
    log: Any,
    spy: str | None = None,
    profile_out: Path | None = None,
    extra_env: dict[str, str] | None = None,
    gc_stats: Path | None = None,
    factory: str | None = None,
) -> dict[str, Any]:
    broadcast = "memory://" if scenario.broadcast == "memory" else redis_url
    prefix = f"bench-{uuid.uuid4().hex[:12]}"
    if len(project.apps) < scenario.events:
        raise BenchError(
            f"project {project.project_id} has only {len(project.apps)} NOT_STARTED applications"
        )
    server = servers.luukku(
        "luukku-live-" + "".join(c if c.isalnum() else "-" for c in scenario.name),
        database_url,
        workers=scenario.workers,
        broadcast_url=broadcast,
        prefix=prefix,
        extra_env=extra_env,
        factory=factory,
    )
    clients: Clients | None = None
    result: dict[str, Any] = {
        "scenario": scenario.__dict__,
        "broadcast_url": broadcast.split("@")[-1],
    }
    try:
        http = httpx.Client(base_url=server.url, timeout=30)
        customer = {"Authorization": f"Bearer {project.customer_token}"}
        overview = {"query": OVERVIEW, "variables": {"id": gid("Project", project.project_id)}}
        for _ in range(20):  # warm every worker a little
            response = http.post("/graphql", json=overview, headers=customer)
            if response.status_code != 200 or response.json().get("errors"):
                raise BenchError(f"live project not readable: {response.text[:300]}")
        time.sleep(1)
        workers = server.worker_pids()
        rss_before = rss_bytes(workers)
        started = time.monotonic()
        clients = Clients(server.url, project, scenario.subscribers, scenario.clients, compression)
        opened, failed = clients.wait_ready(timeout=300)
        connect_s = time.monotonic() - started
        log(f"    {opened} subscribers connected in {connect_s:.1f} s ({failed} failed)")
        # probes until every subscription is live
        probes = 0
        thread_gid = gid("Thread", project.thread_id)
        live = 0
        for probes in range(1, 9):
            body = {
                "query": MESSAGE_POST,
                "variables": {"input": {"threadId": thread_gid, "body": f"probe {probes}"}},
            }
            response = http.post("/graphql", json=body, headers=customer)
            if response.json().get("data", {}).get("messagePost", {}).get("userErrors"):
                raise BenchError(f"probe message refused: {response.text[:300]}")
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                time.sleep(0.5)
                stats = clients.stats()
                per_probe = [
                    len(e["receipts"])
                    for e in stats["events"].values()
                    if e["kind"] == "MESSAGE_POSTED"
                ]
                live = max(per_probe, default=0)
                if live >= opened:
                    break
            if live >= opened:
                break
        log(f"    {live} of {opened} subscriptions live after {probes} probe event(s)")
        time.sleep(2)  # let the probe's work settle before measuring the idle memory
        rss_idle = rss_bytes(workers)
        # the measured events
        sent: list[dict[str, float]] = []
        recorder = None
        if spy and profile_out:
            profile_out.unlink(missing_ok=True)
            recorder = profile.record(spy, workers, scenario.events * 1.6 + 2, profile_out)
            time.sleep(0.5)
        gc_before = profile.read_gc(gc_stats, workers) if gc_stats else None
        with CpuWindow(workers, lambda: []) as cpu:
            for app_id, version, handler_token in project.apps[: scenario.events]:
                sent.append(
                    asyncio.run(_change(server.url, database_url, app_id, version, handler_token))
                )
                time.sleep(1.5)
            deadline = time.monotonic() + 15
            while True:
                stats = clients.stats()
                changed = [e for e in stats["events"].values() if e["kind"] == "STATUS_CHANGED"]
                if (
                    len(changed) >= len(sent) and all(len(e["receipts"]) >= live for e in changed)
                ) or (time.monotonic() > deadline):
                    break
                time.sleep(0.5)
        if gc_stats and gc_before is not None:
            time.sleep(0.6)
            result["gc"] = profile.gc_delta(gc_before, profile.read_gc(gc_stats, workers))
        if recorder is not None:
            try:
                recorder.wait(timeout=60)
            except subprocess.TimeoutExpired:
                recorder.kill()
        changed.sort(key=lambda e: e["occurredAt"])
        commit: list[float] = []
        after_occurred: list[float] = []
        after_response: list[float] = []
        per_event = []
        for info, mark in zip(changed, sent, strict=False):
            occurred = _ts(info["occurredAt"])
            lat = [1000 * (t - mark["visible"]) for t in info["receipts"]]
            commit += lat
            after_occurred += [1000 * (t - occurred) for t in info["receipts"]]
            after_response += [1000 * (t - mark["response"]) for t in info["receipts"]]
            per_event.append(
                {
                    "receipts": len(info["receipts"]),
                    "lost": max(0, live - len(info["receipts"])),
                    "duplicates": max(0, len(info["receipts"]) - live),
                    "p50_ms": percentile(lat, 50),
                    "p99_ms": percentile(lat, 99),
                    "max_ms": max(lat, default=float("nan")),
                    "mutation_ms": 1000 * (mark["response"] - mark["sent"]),
                    "occurred_to_commit_ms": 1000 * (mark["visible"] - occurred),
                    "last_receipt_ms": 1000 * (max(info["receipts"]) - mark["visible"]),
                }
            )
        missing_events = len(sent) - len(changed)
        result.update(
            {
                "workers": len(workers),
                "subscribers": opened,
                "failed_connections": failed,
                "live": live,
                "connect_s": connect_s,
                "probes": probes,
                "rss_before_mb": rss_before / 2**20,
                "rss_idle_mb": rss_idle / 2**20,
                "kb_per_subscription": (rss_idle - rss_before) / 1024 / max(1, opened),
                "events": len(sent),
                "events_missing": missing_events,
                "lost": sum(e["lost"] for e in per_event) + missing_events * live,
                "duplicates": sum(e["duplicates"] for e in per_event),
                "p50_ms": percentile(commit, 50),
                "p99_ms": percentile(commit, 99),
                "max_ms": max(commit, default=float("nan")),
                "p50_after_occurred_ms": percentile(after_occurred, 50),
                "p99_after_occurred_ms": percentile(after_occurred, 99),
                "p50_after_response_ms": percentile(after_response, 50),
                "p99_after_response_ms": percentile(after_response, 99),
                "mutation_ms": statistics.median([e["mutation_ms"] for e in per_event])
                if per_event
                else None,
                "per_event": per_event,
                "server_cpu_s": cpu.server,
                "closed": stats["closed"],
                "client_errors": stats["errors"][:3],
                "other_messages": stats["other"],
            }
        )
        log(
            f"    p50 {result['p50_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, lost {result['lost']}, "
            f"{result['kb_per_subscription']:.1f} KB per idle subscription"
        )
        return result
    finally:
        if clients is not None:
            clients.close()
        server.stop()


async def live_projects(conn: Any, salt: str, count: int, events: int) -> list[LiveProject]:
    """Projects with at least `events` NOT_STARTED applications (the data set keeps the last
    ones of the id range for this), newest first, with the tokens of their viewers."""
    rows = await conn.fetch(
        """SELECT project_id FROM application WHERE status = 'NOT_STARTED'
           GROUP BY project_id HAVING count(*) >= $1 ORDER BY project_id DESC LIMIT $2""",
        events,
        count,
    )
    result = []
    for row in rows:
        project_id = row["project_id"]
        customer = await conn.fetchval(
            "SELECT created_by_id FROM project WHERE id = $1", project_id
        )
        thread = await conn.fetchval(
            "SELECT id FROM thread WHERE project_id = $1 AND application_id IS NULL", project_id
        )
        apps = await conn.fetch(
            """SELECT a.id, a.version, h.person_id FROM application a
               JOIN bench.handler h ON h.authority_id = a.authority_id AND h.k = 0
               WHERE a.project_id = $1 AND a.status = 'NOT_STARTED' ORDER BY a.id""",
            project_id,
        )
        handlers = await conn.fetch(
            """SELECT DISTINCT h.person_id FROM application a
               JOIN bench.handler h ON h.authority_id = a.authority_id
               WHERE a.project_id = $1 AND a.submitted_at IS NOT NULL ORDER BY 1""",
            project_id,
        )

        def token(person: int) -> str:
            return f"lk_bench_{salt}_{person}"

        result.append(
            LiveProject(
                project_id=project_id,
                thread_id=thread,
                customer_token=token(customer),
                viewer_tokens=[token(customer)] + [token(h["person_id"]) for h in handlers],
                apps=[(a["id"], a["version"], token(a["person_id"])) for a in apps],
            )
        )
    return result


def main(argv: list[str] | None = None) -> None:
    """The 1-worker memory:// fan-out alone, on an existing benchmark database; with
    `--baseline DIR`, paired: each round runs the other checkout's server, then this one's,
    each on a project of its own."""
    import argparse
    import resource

    from bench import data
    from bench.run import actors

    parser = argparse.ArgumentParser(prog="python -m bench.live", description=main.__doc__)
    parser.add_argument("--database", default="luukku_bench", help="built by bench.run or data")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--clients", type=int, default=2, help="subscriber processes")
    parser.add_argument("--no-compression", action="store_true")
    parser.add_argument("--baseline", type=Path, help="another checkout's root, run first")
    parser.add_argument("--profile", type=Path, help="py-spy raw output (this code's runs)")
    parser.add_argument("--out", type=Path, default=WORK / "live-results.json")
    args = parser.parse_args(argv)
    data.check_name(args.database)
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    url = data.server_url(args.server, args.database)
    salt = asyncio.run(actors(url))["salt"]
    sides: list[tuple[str, dict[str, str]]] = [("this", {})]
    if args.baseline is not None:
        base = str(args.baseline.resolve())
        sides.insert(0, ("baseline", {"PYTHONPATH": base}))
    spy = profile.ensure_py_spy(print) if args.profile else None
    results: list[dict[str, Any]] = []
    for round_ in range(1, args.rounds + 1):
        for side, env in sides:

            async def one_project() -> LiveProject:
                conn = await asyncpg.connect(url)
                try:
                    found = await live_projects(conn, salt, 1, args.events)
                finally:
                    await conn.close()
                if not found:
                    raise BenchError("no project left with enough NOT_STARTED applications")
                return found[0]

            scenario = Scenario(f"{side} {round_}", 1, "memory", args.subscribers, args.events, 2)
            scenario.clients = args.clients
            print(f"round {round_}, {side}: project", end=" ", flush=True)
            project = asyncio.run(one_project())
            print(project.project_id, flush=True)
            profiled = spy is not None and side == "this"
            out = run(
                scenario,
                url,
                project,
                "",
                not args.no_compression,
                print,
                spy=spy if profiled else None,
                profile_out=args.profile.with_suffix(f".{round_}.txt")
                if profiled and args.profile
                else None,
                extra_env=env,
            )
            out["side"] = side
            out["round"] = round_
            results.append(out)
            print(
                f"  {side}: p50 {out['p50_ms']:.0f} / p99 {out['p99_ms']:.0f} / max "
                f"{out['max_ms']:.0f} ms, mutation "
                + ", ".join(f"{e['mutation_ms']:.0f}" for e in out["per_event"])
                + f" ms, server CPU {out['server_cpu_s']:.2f} s, "
                f"{out['kb_per_subscription']:.1f} KB per idle subscription, lost {out['lost']}",
                flush=True,
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=str))
    for side, _env in sides:
        mine = [r for r in results if r["side"] == side]
        print(
            f"{side}: p99 "
            + ", ".join(f"{r['p99_ms']:.0f}" for r in mine)
            + " ms; server CPU "
            + ", ".join(f"{r['server_cpu_s']:.2f}" for r in mine)
            + " s; KB per idle subscription "
            + ", ".join(f"{r['kb_per_subscription']:.1f}" for r in mine)
        )


if __name__ == "__main__":
    main()
