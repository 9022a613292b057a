"""Processes: free ports, servers in their own process groups, readiness, stopping, CPU and RSS."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
PYTHON = sys.executable
LUUKKU = str(Path(sys.executable).parent / "luukku")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class BenchError(RuntimeError):
    """A step of the benchmark cannot go on; the message says why."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Server:
    """A server process in its own process group, its output in bench/.work/<name>.log."""

    def __init__(
        self,
        name: str,
        args: list[str],
        env: dict[str, str],
        port: int,
        cwd: Path = ROOT,
        ready_line: str | None = None,
    ) -> None:
        if port_open(port):
            raise BenchError(f"{name}: port {port} is already in use")
        WORK.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = WORK / f"{name}.log"
        self._log = self.log_path.open("w")
        self.ready_line = ready_line
        self.process = subprocess.Popen(
            args,
            cwd=cwd,
            env={**os.environ, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends it with its workers
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self, tail: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-tail:])
        return ""

    def wait_ready(self, probe: Callable[[], bool], timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"{self.name} exited with {self.process.returncode} while starting; "
                    f"its log ({self.log_path}):\n{self.output()}"
                )
            if self.ready_line is None or self.ready_line in self.output(200):
                with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
                    if probe():
                        return
            time.sleep(0.2)
        self.stop()
        raise BenchError(f"{self.name} not ready after {timeout:.0f} s; log:\n{self.output()}")

    def group_pids(self) -> list[int]:
        """The server and its workers (every process of its process group)."""
        return [pid for pid in all_pids() if _pgid(pid) == self.pid]

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: the workers under a uvicorn supervisor, or the
        server itself."""
        children = [
            pid
            for pid in self.group_pids()
            if _ppid(pid) == self.pid and "resource_tracker" not in _cmdline(pid)
        ]
        return children or [self.pid]

    def stop(self, timeout: float = 15) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        # workers left behind by a supervisor that died first
        for pid in self.group_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._log.close()
        deadline = time.monotonic() + 5
        while port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.1)


@contextlib.contextmanager
def running(server: Server, probe: Callable[[], bool], timeout: float = 90) -> Iterator[Server]:
    try:
        server.wait_ready(probe, timeout)
        yield server
    finally:
        server.stop()


def http_ok(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> bool:
    request = urllib.request.Request(url, body, headers or {})
    with urllib.request.urlopen(request, timeout=3) as response:
        return bool(response.status == 200)


# --- /proc ----------------------------------------------------------------------------------


def all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _stat_fields(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return raw[raw.rfind(")") + 2 :].split()


def _pgid(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[2]) if fields else -1


def _ppid(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else -1


def _cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes (not their children)."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE
    return total


#: Set by bench.run: PostgreSQL backends of other databases (other work on a shared server)
#: are left out of the CPU accounting; the server's background processes count.
DATABASE: str | None = None


def postgres_pids() -> list[int]:
    result = []
    for pid in all_pids():
        if not comm(pid).startswith("postgres"):
            continue
        if DATABASE is not None:
            line = _cmdline(pid)
            if "(" in line and f" {DATABASE} " not in line:
                continue  # a client backend of another database
        result.append(pid)
    return result


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine (all cores), from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


class CpuWindow:
    """CPU used during a window by: the server, PostgreSQL, the load generator, the rest."""

    def __init__(self, server_pids: list[int], load_pids: Callable[[], list[int]]) -> None:
        self.server_pids = server_pids
        self.load_pids = load_pids
        #: CPU seconds of the load generator, when it measures them itself (wrk's children)
        self.load_cpu = 0.0

    def __enter__(self) -> CpuWindow:
        self.started = time.monotonic()
        self.machine0 = machine_cpu_seconds()
        self.server0 = cpu_seconds(self.server_pids)
        self.pg0 = {pid: cpu_seconds([pid]) for pid in postgres_pids()}
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.monotonic() - self.started
        self.machine = machine_cpu_seconds() - self.machine0
        self.server = cpu_seconds(self.server_pids) - self.server0
        # backends started during the window count from zero; ended ones are lost (pools keep
        # their connections, so that is rare)
        self.pg = sum(cpu_seconds([pid]) - self.pg0.get(pid, 0.0) for pid in postgres_pids())
        self.load = self.load_cpu
        self.other = max(0.0, self.machine - self.server - self.pg - self.load)


def quiesce(pids: list[int], limit: float = 10.0, window: float = 0.25) -> float:
    """Wait until the server and PostgreSQL are idle again (a server keeps working on the
    requests a load generator abandoned); returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        pg = postgres_pids()
        before = cpu_seconds(pids) + cpu_seconds(pg)
        time.sleep(window)
        if cpu_seconds(pids) + cpu_seconds(pg) - before < 0.1 * window:
            break
    return time.monotonic() - started


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Reader(threading.Thread):
    """Collects the lines a child process prints."""

    def __init__(self, stream: Iterable[str]) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: list[str] = []

    def run(self) -> None:
        for line in self.stream:
            self.lines.append(line.rstrip("\n"))
