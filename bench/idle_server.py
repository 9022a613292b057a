"""`luukku serve` (one worker, in this process) with two signals for bench/idle.py.

    IDLE_DUMP=path python -m bench.idle_server

SIGUSR1 runs a full garbage collection and writes `path.<n>` (n = 1, 2, ...) once it is done:
with IDLE_TRACE=1 (tracemalloc started before the application is imported, IDLE_TRACE_FRAMES
frames per trace, 1 by default) a tracemalloc snapshot, otherwise an empty file. The
collection comes first so that what is measured is what the subscriptions keep alive, not
garbage the raised GC thresholds (GC_THRESHOLD) have not collected yet.
"""

from __future__ import annotations

import gc
import os
import signal
import tracemalloc
from pathlib import Path
from types import FrameType

_TRACE = os.environ.get("IDLE_TRACE") == "1"
_DUMP = Path(os.environ.get("IDLE_DUMP", "/tmp/luukku-idle"))
_dumps = 0


def _dump(signum: int, frame: FrameType | None) -> None:
    global _dumps
    _dumps += 1
    gc.collect()
    target = _DUMP.with_name(f"{_DUMP.name}.{_dumps}")
    partial = target.with_name(target.name + ".part")
    if _TRACE:
        tracemalloc.take_snapshot().dump(str(partial))
    else:
        partial.write_bytes(b"")
    partial.rename(target)  # complete once it has its name


def main() -> int:
    if _TRACE:
        tracemalloc.start(int(os.environ.get("IDLE_TRACE_FRAMES", "1")))
    signal.signal(signal.SIGUSR1, _dump)
    from app.cli import main as luukku

    return luukku(["serve", "--workers", "1"])


if __name__ == "__main__":
    raise SystemExit(main())
