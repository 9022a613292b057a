"""Memory per idle subscription: N projectActivity subscriptions on one `luukku serve` worker.

    .venv/bin/python -m bench.idle [--subscribers 1000] [--runs 3] [--no-trace]

A fresh demo database (SQLite, bench/.work/idle/demo.db, `luukku demo seed`); the server is
`luukku serve` with one worker and the memory:// bus (bench/idle_server.py, which adds the
measuring signal). Each run starts the server, warms it (overviews, one subscription opened
and closed), collects garbage and reads the worker's RSS; opens N graphql-transport-ws
connections (bench/live_client.py, the two customers' tokens round-robin), each with one
projectActivity subscription; posts probe messages until every subscription has delivered
one (each is then live and back to idle); waits 2 s, collects garbage and reads the RSS again.
Per subscription: the RSS difference / N. The figure is the median of `--runs` runs; one more
run with tracemalloc gives the traced heap per subscription, by package.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx

from bench.live import Clients, LiveProject, percentile
from bench.procs import LUUKKU, PYTHON, WORK, BenchError, Server, free_port, http_ok, rss_bytes
from bench.queries import MESSAGE_POST, gid
from models.ids import decode_global_id

HERE = WORK / "idle"
STDLIB = "Python (stdlib, interpreter)"
SITE = re.compile(r"site-packages/([^/]+)")
WARM = """query($id: ID!) { project(id: $id) { id name thread { id } applications(first: 10) {
  nodes { id status } } } }"""


def _seed(env: dict[str, str]) -> tuple[list[str], str]:
    """The demo's two customer representatives' tokens and the festival project's id."""
    out = subprocess.run(
        [LUUKKU, "demo", "seed"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    tokens: dict[str, str] = {}
    name = ""
    for line in out.splitlines():
        stripped = line.strip()
        if stripped.startswith("lk_"):
            tokens[name] = stripped
        elif line.startswith("  ") and not line.startswith("    "):
            name = stripped.split("  [")[0]
    match = re.search(r"Demo project 'Suvisoitto[^\n]*\n\s+id\s+(\S+)", out)
    if match is None:
        raise BenchError(f"no demo project in `luukku demo seed`'s output:\n{out[-2000:]}")
    return [tokens["Ben Bergström"], tokens["Aino Andersson"]], match.group(1)


class Dumps:
    """SIGUSR1 to the server: a garbage collection, and with tracing a snapshot file."""

    def __init__(self, server: Server, path: Path) -> None:
        self.server, self.path, self.count = server, path, 0

    def take(self, timeout: float = 120) -> Path:
        self.count += 1
        target = self.path.with_name(f"{self.path.name}.{self.count}")
        os.kill(self.server.pid, signal.SIGUSR1)
        deadline = time.monotonic() + timeout
        while not target.exists():
            if time.monotonic() > deadline:
                raise BenchError("the server wrote no dump")
            time.sleep(0.1)
        return target


def _owner(filename: str) -> str:
    found = SITE.search(filename)
    if found:
        return found.group(1).split(".")[0].split("-")[0]
    if "/lib/python3" in filename or filename.startswith("<"):
        return STDLIB
    parts = Path(filename).parts
    for top in ("app", "resolvers", "schema", "notifications", "permissions", "models", "actions"):
        if top in parts:
            return f"luukku {top}/"
    return "other"


def _traced(before: Path, after: Path, count: int) -> dict[str, Any]:
    first, second = tracemalloc.Snapshot.load(str(before)), tracemalloc.Snapshot.load(str(after))
    owners: dict[str, int] = defaultdict(int)
    places: dict[str, int] = defaultdict(int)
    for diff in second.compare_to(first, "traceback"):
        # the innermost frame outside the standard library: who made the task, the dict...
        frame = next(
            (f for f in reversed(diff.traceback) if _owner(f.filename) != STDLIB),
            diff.traceback[-1],
        )
        owners[_owner(frame.filename)] += diff.size_diff
        places[f"{frame.filename}:{frame.lineno}"] += diff.size_diff
    total = sum(owners.values())
    lines = sorted(((size, where) for where, size in places.items()), reverse=True)
    return {
        "traced_kb_per_subscription": total / 1024 / count,
        "by_owner_kb": {
            k: round(v / 1024 / count, 2)
            for k, v in sorted(owners.items(), key=lambda kv: -kv[1])
            if abs(v) / count >= 50
        },
        "top_lines_kb": [(round(size / 1024 / count, 2), where) for size, where in lines[:25]],
    }


def one_run(
    env: dict[str, str],
    project: LiveProject,
    project_gid: str,
    subscribers: int,
    trace: bool,
    number: int,
    log: Any,
) -> dict[str, Any]:
    port = free_port()
    dump = HERE / f"dump-{number}"
    for old in HERE.glob(f"dump-{number}.*"):
        old.unlink()
    server_env = {
        **env,
        "LUUKKU_HOST": "127.0.0.1",
        "LUUKKU_PORT": str(port),
        "IDLE_DUMP": str(dump),
        "IDLE_TRACE": "1" if trace else "0",
        "IDLE_TRACE_FRAMES": "12",
    }
    server = Server(f"idle-{number}", [PYTHON, "-m", "bench.idle_server"], server_env, port)
    clients: Clients | None = None
    try:
        # tracing slows the start-up's imports several times over
        server.wait_ready(lambda: http_ok(f"{server.url}/healthz"), timeout=400 if trace else 90)
        dumps = Dumps(server, dump)
        http = httpx.Client(base_url=server.url, timeout=60)
        headers = {"Authorization": f"Bearer {project.customer_token}"}
        for _ in range(20):
            response = http.post(
                "/graphql", json={"query": WARM, "variables": {"id": project_gid}}, headers=headers
            )
            if response.status_code != 200 or response.json().get("errors"):
                raise BenchError(f"demo project not readable: {response.text[:300]}")
        # one subscription opened, live and closed: first-use work is not counted
        warm = Clients(server.url, project, 2, 1, compression=False)
        warm.wait_ready(timeout=60)
        _probe(http, headers, project, warm, 2)
        warm.close()
        time.sleep(1)
        before = dumps.take()
        rss_before = rss_bytes([server.pid])
        started = time.monotonic()
        clients = Clients(server.url, project, subscribers, 1, compression=False)
        opened, failed = clients.wait_ready(timeout=300)
        connect_s = time.monotonic() - started
        live, probes = _probe(http, headers, project, clients, opened)
        time.sleep(2)
        after = dumps.take()
        rss_idle = rss_bytes([server.pid])
        fanout = None if trace else _fanout(http, headers, project, clients, opened)
        result: dict[str, Any] = {
            "subscribers": opened,
            "failed": failed,
            "live": live,
            "probes": probes,
            "connect_s": round(connect_s, 1),
            "rss_before_mb": round(rss_before / 2**20, 1),
            "rss_idle_mb": round(rss_idle / 2**20, 1),
            "kb_per_subscription": (rss_idle - rss_before) / 1024 / max(1, opened),
            "traced": trace,
            "fanout_ms": fanout,
        }
        if trace:
            result.update(_traced(before, after, max(1, opened)))
        stats = clients.stats()
        result["other_messages"] = stats["other"]
        result["client_errors"] = stats["errors"][:3]
        log(
            f"  run {number}{' (traced)' if trace else ''}: {opened} open ({failed} failed), "
            f"{live} live after {probes} probe(s), RSS {result['rss_before_mb']} → "
            f"{result['rss_idle_mb']} MB: {result['kb_per_subscription']:.1f} KB per subscription"
            + (f", traced {result['traced_kb_per_subscription']:.1f} KB" if trace else "")
            + (
                f"; fan-out p50 {fanout['p50']:.0f} / p99 {fanout['p99']:.0f} ms from the post"
                if fanout
                else ""
            )
        )
        return result
    finally:
        if clients is not None:
            clients.close()
        server.stop()


def _post_message(
    http: httpx.Client, headers: dict[str, str], project: LiveProject, text: str
) -> httpx.Response:
    """A message to the project's thread: the event every subscriber gets."""
    body = {
        "query": MESSAGE_POST,
        "variables": {"input": {"threadId": gid("Thread", project.thread_id), "body": text}},
    }
    return http.post("/graphql", json=body, headers=headers)


def _probe(
    http: httpx.Client,
    headers: dict[str, str],
    project: LiveProject,
    clients: Clients,
    opened: int,
) -> tuple[int, int]:
    """Messages posted to the project's thread until every subscriber has received one."""
    live = 0
    for probe in range(1, 9):
        response = _post_message(http, headers, project, f"probe {probe}")
        payload = response.json()
        if payload.get("errors") or payload["data"]["messagePost"]["userErrors"]:
            raise BenchError(f"probe message refused: {response.text[:300]}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.5)
            events = clients.stats()["events"].values()
            live = max(
                (len(e["receipts"]) for e in events if e["kind"] == "MESSAGE_POSTED"), default=0
            )
            if live >= opened:
                return live, probe
    raise BenchError(f"only {live} of {opened} subscriptions delivered a probe")


def _fanout(
    http: httpx.Client,
    headers: dict[str, str],
    project: LiveProject,
    clients: Clients,
    opened: int,
) -> dict[str, float]:
    """One more message once idle: each receipt's time from the start of the messagePost
    (the mutation, its commit and the fan-out; a rough figure, the clients share the cores)."""
    seen = set(clients.stats()["events"])
    started = time.time()
    _post_message(http, headers, project, "timed").raise_for_status()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.5)
        new = [e for k, e in clients.stats()["events"].items() if k not in seen]
        if new and len(new[0]["receipts"]) >= opened:
            lat = [1000 * (t - started) for t in new[0]["receipts"]]
            return {
                "p50": round(percentile(lat, 50), 1),
                "p99": round(percentile(lat, 99), 1),
                "max": round(max(lat), 1),
            }
    raise BenchError("the timed message did not reach every subscriber")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="RSS runs (the median is reported)")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    shutil.rmtree(HERE, ignore_errors=True)
    HERE.mkdir(parents=True)
    env = {
        "DATABASE_URL": f"sqlite://{HERE / 'demo.db'}",
        "LUUKKU_ENV": "production",
        "BROADCAST_URL": "memory://",
        "THROTTLE_COST": "0",
        "THROTTLE_AUTH": "0",
        "OUTBOX_IN_PROCESS": "false",
    }
    os.environ.update(env)

    def log(text: str) -> None:
        print(text, flush=True)

    tokens, project_gid = _seed(env)
    found = decode_global_id(project_gid)
    if found is None:
        raise BenchError(f"cannot read the demo project's id {project_gid}")
    log(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    project = LiveProject(found[1], 0, tokens[0], tokens)
    results = []
    plan = [False] * args.runs + ([] if args.no_trace else [True])
    for number, trace in enumerate(plan, 1):
        if project.thread_id == 0:
            project.thread_id = _thread_id(env, project, project_gid)
        results.append(one_run(env, project, project_gid, args.subscribers, trace, number, log))
    rss = [r["kb_per_subscription"] for r in results if not r["traced"]]
    summary: dict[str, Any] = {
        "subscribers": args.subscribers,
        "runs": results,
        "rss_kb_median": statistics.median(rss) if rss else None,
        "rss_kb_min": min(rss) if rss else None,
        "load": os.getloadavg(),
    }
    traced = next((r for r in results if r["traced"]), None)
    log(
        f"RSS per idle subscription: median {summary['rss_kb_median']:.1f} KB, "
        f"min {summary['rss_kb_min']:.1f} KB ({len(rss)} runs)"
    )
    if traced is not None:
        summary["traced_kb"] = traced["traced_kb_per_subscription"]
        log(f"traced heap per idle subscription: {summary['traced_kb']:.1f} KB")
        for owner, kb in traced["by_owner_kb"].items():
            log(f"  {kb:6.2f} KB  {owner}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2))
    log(f"written: {args.out}")


def _thread_id(env: dict[str, str], project: LiveProject, project_gid: str) -> int:
    """The project's thread, read through a short-lived server."""
    port = free_port()
    server = Server(
        "idle-setup",
        [LUUKKU, "serve"],
        {**env, "LUUKKU_HOST": "127.0.0.1", "LUUKKU_PORT": str(port)},
        port,
    )
    try:
        server.wait_ready(lambda: http_ok(f"{server.url}/healthz"))
        response = httpx.post(
            f"{server.url}/graphql",
            json={"query": WARM, "variables": {"id": project_gid}},
            headers={"Authorization": f"Bearer {project.customer_token}"},
            timeout=60,
        )
        thread = response.json()["data"]["project"]["thread"]["id"]
        found = decode_global_id(thread)
        if found is None:
            raise BenchError(f"cannot read the thread's id {thread}")
        return found[1]
    finally:
        server.stop()


if __name__ == "__main__":
    main()
