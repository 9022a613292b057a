"""GC meter for profiling runs only (never for the measured runs).

bench/run.py puts this directory on PYTHONPATH of a Luukku process started for profiling and
sets BENCH_GC_STATS=<file>: Python then imports this module at start-up (site.py), and it
records how long each cyclic garbage collection took (gc.callbacks), writing the totals per
generation to the file twice a second: {"0": [collections, CPU seconds, longest pause], ...}
(CPU time of the collecting thread, so that a busy machine does not inflate it; the longest
pause is wall-clock time, as a request experiences it).
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time

_path = os.environ.get("BENCH_GC_STATS")
if _path:
    _stats: dict[str, list[float]] = {"0": [0, 0.0, 0.0], "1": [0, 0.0, 0.0], "2": [0, 0.0, 0.0]}
    _started = [0.0, 0.0]

    def _callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            _started[0] = time.thread_time()
            _started[1] = time.perf_counter()
            return
        entry = _stats[str(info["generation"])]
        entry[0] += 1
        entry[1] += time.thread_time() - _started[0]
        entry[2] = max(entry[2], time.perf_counter() - _started[1])

    def _writer() -> None:
        while True:
            time.sleep(0.5)
            tmp = f"{_path}.{os.getpid()}.tmp"
            with open(tmp, "w") as f:
                json.dump({"pid": os.getpid(), "objects": len(gc.get_objects(0)), "gc": _stats}, f)
            os.replace(tmp, f"{_path}.{os.getpid()}")

    gc.callbacks.append(_callback)
    threading.Thread(target=_writer, name="bench-gc-meter", daemon=True).start()
