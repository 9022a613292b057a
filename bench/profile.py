"""Where the server's CPU goes: py-spy samples summarised by layer and by function.

`py-spy record --format raw` writes collapsed stacks ("frame;frame;... count"), each frame
"function (path/file.py:line)". Two views:

- self time by layer: the innermost frame decides (Strawberry, graphql-core, Tortoise,
  pypika, asyncpg, JSON, the app's own packages, uvicorn/starlette, asyncio, ...);
- inclusive time of the functions that matter (every sample whose stack contains them).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:()]+?)(?::(?P<line>\d+))?\)$")

#: (layer, test on the file path), first match wins
LAYERS: list[tuple[str, str]] = [
    ("graphql-core: validation", "graphql/validation/"),
    ("graphql-core: parsing", "graphql/language/"),
    ("graphql-core: execution", "graphql/execution/"),
    ("graphql-core: other", "graphql/"),
    ("strawberry: permissions", "strawberry/permission.py"),
    ("strawberry: dataloader", "strawberry/dataloader.py"),
    ("strawberry: extensions", "strawberry/extensions/"),
    ("strawberry: http/asgi", "strawberry/http/"),
    ("strawberry: http/asgi", "strawberry/asgi/"),
    ("strawberry: subscriptions", "strawberry/subscriptions/"),
    ("strawberry: other", "strawberry/"),
    ("tortoise: queryset/values", "tortoise/queryset.py"),
    ("tortoise: fields/conversion", "tortoise/fields/"),
    ("tortoise: other", "tortoise/"),
    ("pypika (SQL building)", "pypika"),
    ("asyncpg", "asyncpg/"),
    ("json (orjson/json)", "json/"),
    ("app: schema types", "schema/"),
    ("app: resolvers/loaders", "resolvers/"),
    ("app: permissions", "permissions/"),
    ("app: actions", "actions/"),
    ("app: models", "models/"),
    ("app: notifications", "notifications/"),
    ("app: app/", "app/"),
    ("uvicorn/starlette/websockets", "uvicorn/"),
    ("uvicorn/starlette/websockets", "starlette/"),
    ("uvicorn/starlette/websockets", "websockets/"),
    ("uvicorn/starlette/websockets", "httptools"),
    ("asyncio/uvloop", "asyncio/"),
    ("asyncio/uvloop", "uvloop"),
    ("python stdlib", "python3"),
]

#: (label, regular expression on one frame), inclusive time
FUNCTIONS: list[tuple[str, str]] = [
    ("graphql validate() (uncached)", r"^validate \(graphql/validation/validate"),
    ("graphql parse()", r"^parse \(graphql/language/parser"),
    (
        "result serialisation: complete_* of graphql-core",
        r"complete_(list|object|leaf|abstract)_value",
    ),
    ("Strawberry permission extensions", r"PermissionExtension\."),
    ("DataLoader dispatch + load()", r"(dispatch_batch|DataLoader\.load) \(strawberry/dataloader"),
    ("Tortoise .values() queries (incl. SQL build + decode)", r"ValuesQuery\._execute"),
    ("pypika SQL building", r"get_(parameterized_)?sql \(pypika"),
    ("Tortoise field to_python (JSON/datetime/enum decode)", r"to_python_value \(tortoise/fields"),
    ("asyncpg protocol (fetch/execute)", r"\(asyncpg/"),
    ("authentication (viewer_for_token)", r"viewer_for_token"),
    ("project_facts / policies", r"(project_facts|policies\.py)"),
    ("from_row constructors (schema types)", r"from_row \(schema/"),
    (
        "connection()/paginate_by_id/encode_cursor",
        r"(connection|paginate_by_id|encode_cursor) \(schema/common",
    ),
    (
        "orjson dumps/loads of the response/request",
        r"(encode_json|decode_json|parse_json) \(app/main",
    ),
    ("audit writes", r"audit"),
    ("subscription event delivery", r"(strawberry/subscriptions/|resolvers/live/)"),
]


@dataclass
class Summary:
    samples: int
    layers: list[tuple[str, int]]
    functions: list[tuple[str, int]]
    top_self: list[tuple[str, int]]


def _file_of(frame: str) -> tuple[str, str]:
    match = _FRAME.match(frame)
    if match is None:
        return frame, ""
    return match.group("func"), match.group("file")


def layer_of(path: str) -> str:
    for name, needle in LAYERS:
        if needle in path:
            return name
    return "other"


def summarise(raw: Path) -> Summary:
    layers: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    top: Counter[str] = Counter()
    total = 0
    compiled = [(label, re.compile(rx)) for label, rx in FUNCTIONS]
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        func, path = _file_of(frames[-1])
        layers[layer_of(path)] += count
        top[f"{func} ({path})"] += count
        for label, rx in compiled:
            if any(rx.search(f) for f in frames):
                functions[label] += count
    return Summary(total, layers.most_common(), functions.most_common(), top.most_common(15))


def markdown(summary: Summary, title: str) -> str:
    def pct(n: int) -> str:
        return f"{100 * n / max(1, summary.samples):.0f}%"

    lines = [f"**{title}** ({summary.samples} samples)", ""]
    lines += ["| layer (self time) | share |", "|---|---|"]
    lines += [f"| {name} | {pct(n)} |" for name, n in summary.layers if n * 100 >= summary.samples]
    lines += ["", "| function (inclusive) | share |", "|---|---|"]
    lines += [f"| {name} | {pct(n)} |" for name, n in summary.functions]
    lines += ["", "| hottest frames (self) | share |", "|---|---|"]
    lines += [f"| `{name[:110]}` | {pct(n)} |" for name, n in summary.top_self[:10]]
    return "\n".join(lines) + "\n"


INSTRUMENT = Path(__file__).resolve().parent / "instrument"


def gc_env(stats: Path) -> dict[str, str]:
    """Environment of a profiled Luukku process: the GC meter (bench/instrument)."""
    return {"PYTHONPATH": str(INSTRUMENT), "BENCH_GC_STATS": str(stats)}


def read_gc(stats: Path, pids: list[int]) -> dict[str, float]:
    """GC totals of the processes so far: collections and seconds per generation."""
    import json

    total = {
        "collections": 0.0,
        "seconds": 0.0,
        "gen2_collections": 0.0,
        "gen2_seconds": 0.0,
        "longest": 0.0,
    }
    for pid in pids:
        path = stats.parent / f"{stats.name}.{pid}"
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        for gen, (count, seconds, longest) in data["gc"].items():
            total["collections"] += count
            total["seconds"] += seconds
            total["longest"] = max(total["longest"], longest)
            if gen == "2":
                total["gen2_collections"] += count
                total["gen2_seconds"] += seconds
    return total


def gc_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    delta = {k: after[k] - before[k] for k in before if k != "longest"}
    delta["longest"] = after["longest"]
    return delta


def ensure_py_spy(log: object) -> str | None:
    """py-spy in the venv (a dev tool, not a dependency); installed with pip if missing."""
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if found:
        return found
    print("py-spy is not installed: pip install py-spy (a profiling tool, into the venv) ...")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "py-spy",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        print(f"  could not install py-spy; profiles skipped:\n{result.stderr[-500:]}")
        return None
    return shutil.which("py-spy", path=str(Path(sys.executable).parent))


def record(binary: str, pids: list[int], seconds: float, out: Path) -> subprocess.Popen[str]:
    """Start sampling the processes (the first pid, with its subprocesses) in the background."""
    args = [
        binary,
        "record",
        "--pid",
        str(pids[0]),
        "--duration",
        str(max(1, round(seconds))),
        "--rate",
        "200",
        "--format",
        "raw",
        "--nonblocking",
        "--output",
        str(out),
    ]
    if len(pids) > 1:
        args.append("--subprocesses")
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


if __name__ == "__main__":  # python -m bench.profile <raw file>
    print(markdown(summarise(Path(sys.argv[1])), sys.argv[1]))
