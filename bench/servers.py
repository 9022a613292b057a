"""The three servers of the read benchmark: Luukku, the floor and the PostGraphile peer."""

from __future__ import annotations

import json
import shutil
import subprocess

from bench.procs import LUUKKU, PYTHON, ROOT, BenchError, Server, free_port, http_ok

PEER_DIR = ROOT / "bench" / "postgraphile"


def luukku(
    name: str,
    database_url: str,
    *,
    workers: int = 1,
    broadcast_url: str = "memory://",
    prefix: str = "luukku",
    extra_env: dict[str, str] | None = None,
    factory: str | None = None,
) -> Server:
    """`luukku serve --workers N` in production mode on a free port; ready on GET /healthz.
    `factory` ("module:function") serves that app factory with uvicorn instead, as
    `luukku serve` does (bench/whatif.py)."""
    port = free_port()
    env = {
        "DATABASE_URL": f"{database_url}?minsize=2&maxsize=10",
        "LUUKKU_HOST": "127.0.0.1",
        "LUUKKU_PORT": str(port),
        "LUUKKU_ENV": "production",
        "BROADCAST_URL": broadcast_url,
        "BROADCAST_PREFIX": prefix,
        # a load generator is one client hammering on purpose: no throttling
        "THROTTLE_COST": "0",
        "THROTTLE_AUTH": "0",
        **(extra_env or {}),
    }
    command = [LUUKKU, "serve", "--workers", str(workers)]
    if factory is not None:
        command = [
            PYTHON,
            "-m",
            "uvicorn",
            factory,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
            "--log-level",
            "info",
        ]
    server = Server(name, command, env, port)
    server.wait_ready(lambda: http_ok(f"{server.url}/healthz"))
    return server


def floor(database_url: str) -> Server:
    """bench/floor.py under uvicorn (uvloop, httptools), one worker, no access log."""
    port = free_port()
    args = [
        PYTHON,
        "-m",
        "uvicorn",
        "bench.floor:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = Server("floor", args, {"FLOOR_DATABASE_URL": database_url}, port)
    server.wait_ready(lambda: http_ok(f"{server.url}/healthz"))
    return server


def ensure_peer(log: object) -> str:
    """`npm ci` in bench/postgraphile when its node_modules are missing or stale."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        raise BenchError("node and npm are needed for the PostGraphile peer (Node 20)")
    marker = PEER_DIR / "node_modules" / ".installed"
    lock = PEER_DIR / "package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < lock.stat().st_mtime:
        print("PostGraphile peer: npm ci in bench/postgraphile ...", flush=True)
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PEER_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise BenchError(
                f"npm ci in bench/postgraphile failed:\n{result.stdout}{result.stderr}"
            )
        marker.touch()
    version = json.loads((PEER_DIR / "node_modules" / "postgraphile" / "package.json").read_text())
    return str(version["version"])


def postgraphile(database_url: str) -> Server:
    """PostGraphile 4 (bench/postgraphile/server.js), NODE_ENV=production, own process group;
    ready once it printed READY and answers `{ __typename }`."""
    port = free_port()
    env = {
        "NODE_ENV": "production",
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "POOL_SIZE": "10",
    }
    node = shutil.which("node") or "node"
    server = Server(
        "postgraphile", [node, "server.js"], env, port, cwd=PEER_DIR, ready_line="READY"
    )
    body = json.dumps({"query": "{ __typename }"}).encode()

    def probe() -> bool:
        return http_ok(f"{server.url}/graphql", body, {"Content-Type": "application/json"})

    server.wait_ready(probe)
    return server


def node_version() -> str:
    node = shutil.which("node")
    if node is None:
        return "(none)"
    return subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
