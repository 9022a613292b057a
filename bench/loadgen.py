"""wrk: installing Debian's package when missing, and one measured run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.procs import WORK, BenchError, CpuWindow, cpu_seconds

LUA = Path(__file__).resolve().parent / "post.lua"


def ensure_wrk(log: Any) -> str:
    """The wrk binary; installs Debian's `wrk` package with apt-get if it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is not installed: installing Debian's package (apt-get install -y wrk) ...")
    if os.geteuid() != 0:
        raise BenchError("wrk is missing and this is not root: run `apt-get install -y wrk` first")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        log("  apt-get install failed; running apt-get update first ...")
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, timeout=600)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
    found = shutil.which("wrk")
    if result.returncode != 0 or not found:
        raise BenchError(f"could not install wrk with apt-get:\n{result.stdout}\n{result.stderr}")
    log(
        f"  installed {subprocess.run([found, '-v'], capture_output=True, text=True).stdout.splitlines()[0]}"
    )
    return found


def wrk_version(binary: str) -> str:
    out = subprocess.run([binary, "-v"], capture_output=True, text=True)
    return (out.stdout or out.stderr).splitlines()[0].strip()


@dataclass
class Target:
    """What one wrk run sends: a body template, ids and tokens to pick from."""

    name: str
    url: str
    body: dict[str, Any] | str
    ids: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)  # the server's processes (CPU accounting)

    def files(self) -> dict[str, str]:
        WORK.mkdir(parents=True, exist_ok=True)
        base = WORK / f"wrk-{self.name}"
        body = self.body if isinstance(self.body, str) else json.dumps(self.body)
        (base.with_suffix(".body")).write_text(body)
        env = {"BODY_FILE": str(base.with_suffix(".body"))}
        if self.ids:
            (base.with_suffix(".ids")).write_text("\n".join(self.ids) + "\n")
            env["IDS_FILE"] = str(base.with_suffix(".ids"))
        if self.tokens:
            (base.with_suffix(".tokens")).write_text("\n".join(self.tokens) + "\n")
            env["TOKENS_FILE"] = str(base.with_suffix(".tokens"))
        return env


@dataclass
class Run:
    target: str
    connections: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    failures: int
    detail: dict[str, Any]
    cpu: dict[str, float]


def run_wrk(
    binary: str,
    target: Target,
    connections: int,
    seconds: float,
    threads: int = 2,
    timeout_s: float = 10,
) -> Run:
    env = {**os.environ, **target.files()}
    threads = max(1, min(threads, connections))
    args = [
        binary,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={timeout_s:g}s",
        "-s",
        str(LUA),
        target.url + "/graphql",
    ]
    _children_cpu()  # reset: only wrk's own CPU counts below
    with CpuWindow(target.pids, lambda: []) as window:
        process = subprocess.Popen(
            args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            out, err = process.communicate(timeout=seconds + 60)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            process.communicate()
            raise BenchError(f"wrk against {target.name} did not finish") from exc
        window.load_cpu = _children_cpu()
    line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
    if process.returncode != 0 or line is None:
        raise BenchError(f"wrk against {target.name} failed ({process.returncode}):\n{out}\n{err}")
    data = json.loads(line[7:])
    failures = data["non200"] + data["graphql_errors"] + data["null_data"] + data["socket_errors"]
    return Run(
        target=target.name,
        connections=connections,
        rps=data["rps"],
        p50_ms=data["p50_ms"],
        p90_ms=data["p90_ms"],
        p99_ms=data["p99_ms"],
        max_ms=data["max_ms"],
        requests=data["requests"],
        failures=failures,
        detail=data,
        cpu={
            "seconds": window.seconds,
            "server": window.server,
            "postgres": window.pg,
            "wrk": window.load,
            "other": window.other,
            "machine": window.machine,
        },
    )


_last_children_cpu = 0.0


def _children_cpu() -> float:
    """CPU of reaped children since the last call (wrk's share of a run)."""
    global _last_children_cpu
    times = os.times()
    total = times.children_user + times.children_system
    used, _last_children_cpu = total - _last_children_cpu, total
    return used


def settle(seconds: float = 1.0) -> None:
    time.sleep(seconds)


__all__ = ["Run", "Target", "cpu_seconds", "ensure_wrk", "run_wrk", "wrk_version"]
