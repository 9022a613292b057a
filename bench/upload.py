"""Upload benchmark: throughput and the server's peak memory for 1 MB and 200 MB files.

    .venv/bin/python -m bench.upload                       # local folder store, SQLite
    .venv/bin/python -m bench.upload --storage postgres    # PostgreSQL large objects
    .venv/bin/python -m bench.upload --small 20 --large 2  # how many files of each size

A real `luukku serve` (one process, production mode, no virus scanner) on a fresh database in
bench/.work/upload/; a customer with a rescue-plan draft; then `attachmentAdd` multipart
requests from httpx, which streams each file from disk. For each size: the wall time of
every request (upload, type check, SHA-256, store, row), the throughput, and the server's
resident memory: VmHWM (the peak since start) before and after, so the growth is what the
uploads cost. The file is a valid PDF header followed by random bytes. Results are printed
and written to bench/results/upload-YYYY-MM-DD.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench.procs import LUUKKU, ROOT, WORK, Server, free_port, http_ok

MB = 1024 * 1024
ADD = """mutation($input: AttachmentAddInput!) { attachmentAdd(input: $input) {
  attachments { size sha256 } userErrors { code message } } }"""


def _vm(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _make_file(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.4\n")
        left = size - 9
        while left > 0:
            chunk = os.urandom(min(left, 4 * MB))
            handle.write(chunk)
            left -= len(chunk)


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [LUUKKU, *args], env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    return done.stdout


def _gql(
    client: httpx.Client, token: str, query: str, variables: dict[str, object]
) -> dict[str, Any]:
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def run(storage: str, small: int, large: int) -> str:
    work = WORK / "upload"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    database_url = f"sqlite://{work / 'luukku.sqlite3'}"
    env = {
        "DATABASE_URL": database_url,
        "ATTACHMENT_STORAGE": str(work / "files"),
        "ATTACHMENT_SCANNER": "none",
        "ATTACHMENT_MAX_FILE_BYTES": str(250 * MB),
        "ATTACHMENT_MAX_APPLICATION_BYTES": str(2**40),
        "ATTACHMENT_MAX_APPLICATION_FILES": "100000",
        "TMPDIR": str(work),
    }
    pg_database = None
    if storage == "postgres":
        import asyncio

        import asyncpg

        pg_database = f"luukku_bench_upload_{os.getpid()}"

        async def create() -> None:
            conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
            await conn.execute(f'CREATE DATABASE "{pg_database}"')
            await conn.close()

        asyncio.run(create())
        env["ATTACHMENT_STORAGE"] = f"postgres://postgres@127.0.0.1:5432/{pg_database}"
    _cli(env, "migrate")
    _cli(env, "catalogue", "load")
    output = _cli(
        env, "user", "create", "--name", "Bench", "--email", "bench@example.org", "--token"
    )
    token = next(line.split()[-1] for line in output.splitlines() if "lk_" in line)
    port = free_port()
    server = Server(
        "upload",
        [LUUKKU, "serve"],
        {**env, "LUUKKU_PORT": str(port), "LUUKKU_ENV": "production"},
        port,
    )
    lines: list[str] = []
    try:
        server.wait_ready(lambda: http_ok(f"{server.url}/healthz"))
        with httpx.Client(base_url=server.url, timeout=600) as client:
            bundles = _gql(client, token, "{ serviceBundles { id code } }", {})["serviceBundles"]
            bundle = next(b["id"] for b in bundles if b["code"] == "public-event")
            project = _gql(
                client,
                token,
                "mutation($i: ProjectCreateInput!) { projectCreate(input: $i) { project { id } } }",
                {"i": {"serviceBundleId": bundle, "name": "Bench", "municipalityCode": "091"}},
            )["projectCreate"]["project"]["id"]
            types = _gql(client, token, "{ permitTypes(first: 100) { nodes { id code } } }", {})
            rescue = next(
                t["id"]
                for t in types["permitTypes"]["nodes"]
                if t["code"] == "helsinki-rescue-plan"
            )
            application = _gql(
                client,
                token,
                "mutation($i: ApplicationCreateInput!) { applicationCreate(input: $i) { application { id } } }",
                {"i": {"projectId": project, "permitTypeId": rescue}},
            )["applicationCreate"]["application"]["id"]
            pid = server.pid
            lines += [
                f"# Upload benchmark, {date.today().isoformat()}",
                "",
                f"`python -m bench.upload --storage {storage} --small {small} --large {large}`: "
                f"one `luukku serve` process (production mode, no virus scanner), SQLite, "
                f"attachment store: {'PostgreSQL large objects' if storage == 'postgres' else 'local folder'}; "
                "client and server on the same machine (2 cores, shared).",
                "",
                f"Server at start: VmRSS {_vm(pid, 'VmRSS') / MB:.1f} MiB, VmHWM {_vm(pid, 'VmHWM') / MB:.1f} MiB.",
                "",
                "| file | files | median s | MB/s (median) | MB/s (all) | VmHWM before | VmHWM after | growth |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for size_mb, count in ((1, small), (200, large)):
                path = work / f"file-{size_mb}mb.pdf"
                _make_file(path, size_mb * MB)
                before = _vm(pid, "VmHWM")
                times = []
                for _ in range(count):
                    started = time.perf_counter()
                    with path.open("rb") as handle:
                        response = client.post(
                            "/graphql",
                            data={
                                "operations": orjson.dumps(
                                    {
                                        "query": ADD,
                                        "variables": {
                                            "input": {
                                                "applicationId": application,
                                                "files": [{"file": None}],
                                            }
                                        },
                                    }
                                ).decode(),
                                "map": '{"0": ["variables.input.files.0.file"]}',
                            },
                            files={"0": ("kartta.pdf", handle, "application/pdf")},
                            headers={"Authorization": f"Bearer {token}"},
                        )
                    times.append(time.perf_counter() - started)
                    body = response.json()
                    errors = body["data"]["attachmentAdd"]["userErrors"]
                    assert (
                        not errors
                        and body["data"]["attachmentAdd"]["attachments"][0]["size"] == size_mb * MB
                    ), body
                after = _vm(pid, "VmHWM")
                median = statistics.median(times)
                lines.append(
                    f"| {size_mb} MB | {count} | {median:.3f} | {size_mb / median:.0f} | "
                    f"{size_mb * count / sum(times):.0f} | {before / MB:.1f} MiB | {after / MB:.1f} MiB | "
                    f"{(after - before) / MB:+.1f} MiB |"
                )
                path.unlink()
            lines += [
                "",
                f"Server at the end: VmRSS {_vm(pid, 'VmRSS') / MB:.1f} MiB, VmHWM {_vm(pid, 'VmHWM') / MB:.1f} MiB.",
            ]
    finally:
        server.stop()
        if pg_database is not None:
            import asyncio

            import asyncpg

            async def drop() -> None:
                conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
                await conn.execute(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')
                await conn.close()

            asyncio.run(drop())
        shutil.rmtree(work, ignore_errors=True)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--storage", choices=["local", "postgres"], default="local")
    parser.add_argument("--small", type=int, default=20, help="how many 1 MB files")
    parser.add_argument("--large", type=int, default=2, help="how many 200 MB files")
    args = parser.parse_args()
    report = run(args.storage, args.small, args.large)
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"upload-{date.today().isoformat()}-{args.storage}.md").write_text(report)


if __name__ == "__main__":
    main()
