"""Real server processes for tests: `luukku demo` / `luukku serve` on a free port, and the
scripts that drive Debian's Chromium against them (playwright-core from web/node_modules)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
LUUKKU = str(Path(sys.executable).parent / "luukku")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def browser_missing(extra: dict[str, Path]) -> list[str]:
    """What a real-browser test lacks: Node.js, Chromium, playwright-core, and `extra`
    (for each: what is missing and how to get it, by the path that must exist)."""
    needed = {
        "web/node_modules (playwright-core): run `make web`": (
            ROOT / "web" / "node_modules" / "playwright-core"
        ),
        f"Chromium at {CHROMIUM}: apt-get update && apt-get install -y chromium": Path(CHROMIUM),
        **extra,
    }
    missing = [] if shutil.which("node") else ["Node.js 20.19+ (node)"]
    return missing + [what for what, path in needed.items() if not path.exists()]


def run_browser_script(
    script: Path, artifacts: Path, env: dict[str, str], *, cwd: Path, timeout: int
) -> tuple[dict[str, Any], str]:
    """Run a Chromium-driving script (node), with its results file in a fresh `artifacts`
    folder; (its results, a report for assertions). Fails unless it exited cleanly."""
    shutil.rmtree(artifacts, ignore_errors=True)
    run = subprocess.run(
        ["node", str(script)],
        cwd=cwd,
        env={**os.environ, **env, "ARTIFACTS": str(artifacts), "CHROMIUM": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    results: dict[str, Any] = json.loads((artifacts / "results.json").read_text())
    report = f"{run.stdout}\n{run.stderr}\n{json.dumps(results, indent=1)[:8000]}"
    assert run.returncode == 0 and "error" not in results, report
    return results, report


def demo_tokens(output: str) -> dict[str, str]:
    """The bearer token of each demo person and system, by name, from `luukku demo`'s output."""
    found = re.findall(
        r"^  (.+?)  \[.*\]\n(?:    e-mail  \S+\n)?    (lk_\S+)$", output, re.MULTILINE
    )
    return dict(found)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(config: uvicorn.Config) -> AsyncIterator[str]:
    """An ASGI app served by uvicorn in this event loop (a task), on a real socket, until
    the block ends; yields its base URL."""
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://{config.host}:{config.port}"
    finally:
        server.should_exit = True
        await task


class Server:
    def __init__(self, args: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [LUUKKU, *args],
            cwd=ROOT,
            env={**os.environ, **env, "LUUKKU_PORT": str(port), "LUUKKU_HOST": "127.0.0.1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.output}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise TimeoutError(f"server not ready:\n{self.output}")

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


@contextlib.contextmanager
def running(args: list[str], env: dict[str, str]) -> Iterator[Server]:
    server = Server(args, env, free_port())
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
