"""A real clamd for the tests, offline, with a signature database the suite writes itself.

There is no internet for freshclam here, so the database holds one signature of our own that
detects the EICAR test file anywhere in a stream (an .ndb body signature). clamd runs in the
foreground as a child process on a Unix socket and a loopback TCP port; `/usr/sbin/clamd`
comes from Debian's clamav-daemon (installed by .ci/run)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from actions.scanning import ClamdScanner
from tests.files import EICAR
from tests.servers import free_port

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


def _config(folder: Path, port: int) -> str:
    return "\n".join(
        [
            f"DatabaseDirectory {folder / 'db'}",
            f"LocalSocket {folder / 'clamd.sock'}",
            "FixStaleSocket yes",
            f"TCPSocket {port}",
            "TCPAddr 127.0.0.1",
            "Foreground yes",
            f"LogFile {folder / 'clamd.log'}",
            f"TemporaryDirectory {folder}",
            "StreamMaxLength 300M",
            "MaxFileSize 300M",
            "MaxScanSize 600M",
            # without this, a file over MaxFileSize would come back "OK", unscanned
            "AlertExceedsMax yes",
            "MaxThreads 4",
            "SelfCheck 0",
            "",
        ]
    )


@contextmanager
def running_clamd() -> Iterator[tuple[str, int]]:
    """(Unix socket path, TCP port) of a clamd that detects EICAR."""
    if not Path(CLAMD).exists():
        raise RuntimeError("clamd is not installed: apt-get install clamav-daemon (see .ci/run)")
    folder = Path(tempfile.mkdtemp(prefix="luukku-clamd-"))
    (folder / "db").mkdir()
    (folder / "db" / "luukku-test.ndb").write_text(f"Eicar-Test-Signature:0:*:{EICAR.hex()}\n")
    port = free_port()
    (folder / "clamd.conf").write_text(_config(folder, port))
    process = subprocess.Popen(
        [CLAMD, "-c", str(folder / "clamd.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        scanner = ClamdScanner(("127.0.0.1", port), timeout=5, max_bytes=1 << 30)
        deadline = time.monotonic() + 30
        while not asyncio.run(scanner.ping()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"clamd did not start: {process.stderr.read() if process.stderr else ''!r}"
                )
            time.sleep(0.05)
        yield str(folder / "clamd.sock"), port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        if process.stderr is not None:
            process.stderr.close()
        shutil.rmtree(folder, ignore_errors=True)
