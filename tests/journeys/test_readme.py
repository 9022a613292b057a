"""Every example in README.md runs, in order, against a real `luukku demo`, as written.

How to write examples in the README (every section, now and later):

- A fenced block says what it is with its info string (the words after the opening
  backticks); the first word is the language.
  - `graphql` blocks hold exactly one operation. The test sends it to the demo over HTTP:
    - `as=<first name>` sends it with that demo person's token (`make demo` prints them;
      `as=Ville`), otherwise anonymously; `lang=sv` sets `Accept-Language`;
    - it must answer without top-level errors and with every `userErrors` empty, unless
      `expect=<CODE>` says which user error code or `extensions.code` it shows;
    - values the reader fills in are string literals in angle brackets: `"<today>"` and
      `"<today+N>"` are dates (`make demo` prints the ones the README uses), and any other
      `"<path>"` is a value from an earlier block's result, e.g.
      `"<projectCreate.project.id>"`, `"<inbox.nodes[0].version>"`,
      `"<serviceBundles[code=public-event].id>"` (a list item by index or by field), from
      the newest result that has the path;
    - subscriptions cannot be sent over HTTP: mark them `norun` (see below).
  - `sh` blocks run with `bash -euo pipefail` in the repository, with the demo's environment
    and `.venv/bin` on PATH, and must exit 0; the demo's addresses `127.0.0.1:8000` (API) and
    `127.0.0.1:8099` (demo authority system) are replaced by the test demo's. Let a command
    check its own output (`| grep -q ...`) when the output is the point.
  - `text` blocks are output or layouts: never run.
  - `norun` after the language marks a block that cannot run against the demo (production
    settings, other hosts, code for a browser or a bundler): `sh norun`, `js norun`.
    `graphql norun` blocks are still parsed and validated against the schema.
  - Any other info string, or none, fails this test, so that a new section decides.
- GraphiQL prefill links (`.../graphql?q=...`) must hold a valid operation.
- The tables of error codes must list exactly the codes the code has.

The demo runs with `ALLOWED_ORIGINS=http://localhost:5173`, as the README's CORS example
says to start it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest_asyncio
from graphql import OperationDefinitionNode, parse, validate

from models.errors import DESCRIPTIONS, ErrorCode
from schema.root import schema
from tests import db as test_db
from tests.servers import ROOT, demo_tokens, free_port, running

README = ROOT / "README.md"
CORS_ORIGIN = "http://localhost:5173"
KINDS = {"graphql", "sh", "text"}
PLACEHOLDER = re.compile(r'"<([^"<>]+)>"')
SOURCE_CODES = (
    r'"code":\s*"([A-Z][A-Z_]+)"',
    r'top_level_error\(\s*"([A-Z][A-Z_]+)"',
    r'\bcode(?:, message)?\s*=\s*"([A-Z][A-Z_]+)"',
    r'\bINTERNAL\s*=\s*"([A-Z][A-Z_]+)"',
    r'_CODE\s*=\s*"([A-Z][A-Z_]+)"',
    r'_(?:refusal|Refused)\(\s*\d+,\s*"([A-Z][A-Z_]+)"',
    r'\breturn\s+"([A-Z][A-Z_]{3,})"',
    r'\b\d{3}:\s*"([A-Z][A-Z_]+)"',  # HTTP status -> code tables
    r'_HTTP_CODES\.get\([^,]+,\s*"([A-Z][A-Z_]+)"\)',
)


@dataclass(frozen=True)
class Block:
    line: int
    language: str
    options: dict[str, str]
    flags: frozenset[str]
    text: str

    @property
    def runs(self) -> bool:
        return self.language in {"graphql", "sh"} and "norun" not in self.flags

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.language})"


def blocks(markdown: str) -> list[Block]:
    found = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        opening = re.match(r"^(\s*)(```+)(.*)$", lines[i])
        if opening is None:
            i += 1
            continue
        indent, fence, info = opening.groups()
        words = info.split()
        body = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        options = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        flags = frozenset(w for w in words[1:] if "=" not in w)
        found.append(Block(i + 1, words[0] if words else "", options, flags, "\n".join(body)))
        i = j + 1
    return found


def _walk(value: Any, path: str) -> Any:
    """`a.b[0].c[code=x].d` into a result's data."""
    for part in re.finditer(r"(\w+)((?:\[[^\]]*\])*)\.?", path):
        name, selectors = part.groups()
        value = value[name]
        for selector in re.findall(r"\[([^\]]*)\]", selectors):
            if selector.isdigit():
                value = value[int(selector)]
            else:
                key, wanted = selector.split("=", 1)
                value = next(item for item in value if str(_field(item, key)) == wanted)
    return value


def _field(item: Any, path: str) -> Any:
    try:
        return _walk(item, path)
    except (KeyError, TypeError, IndexError, StopIteration):  # e.g. a null object on the way
        return None


def fill(text: str, results: list[dict[str, Any]]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        dated = re.fullmatch(r"today(?:\+(\d+))?", name)
        if dated:
            return f'"{(date.today() + timedelta(days=int(dated.group(1) or 0))).isoformat()}"'
        for data in reversed(results):  # the newest result that has the path
            found = _field(data, name)
            if found is not None:
                return f'"{found}"' if isinstance(found, str) else str(found).lower()
        raise AssertionError(f"no earlier result has {name}")

    return PLACEHOLDER.sub(value, text)


def _errors_in(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        found = list(value.get("userErrors") or [])
        for child in value.values():
            found += _errors_in(child)
        return found
    if isinstance(value, list):
        return [e for item in value for e in _errors_in(item)]
    return []


def test_every_block_says_what_it_is_and_every_operation_is_valid() -> None:
    for block in blocks(README.read_text(encoding="utf-8")):
        assert block.language in KINDS or "norun" in block.flags, (
            f"{block}: say what the block is (graphql, sh, text) or mark it norun"
        )
        if block.language != "graphql":
            continue
        document = parse(PLACEHOLDER.sub('"PLACEHOLDER"', block.text))
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        assert len(operations) == 1, f"{block}: one operation per block"
        if block.runs:
            assert operations[0].operation.value != "subscription", f"{block}: mark it norun"
        problems = [  # a placeholder for a number is a string until it is filled in
            e.message
            for e in validate(schema._schema, document)
            if '"PLACEHOLDER"' not in e.message
        ]
        assert problems == [], f"{block}: {problems}"


def test_graphiql_links_hold_valid_operations() -> None:
    links = re.findall(r"http://127\.0\.0\.1:8000/graphql\?[^)\s`]+", README.read_text())
    assert links, "the client guide shows GraphiQL's prefill links"
    for link in links:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["q"][0]
        assert validate(schema._schema, parse(query)) == [], link


def _table(markdown: str, header: str) -> list[tuple[str, str]]:
    start = markdown.index(header)
    rows = []
    for line in markdown[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows.append((cells[0].strip("`"), cells[1]))
    return rows


def test_the_error_code_tables_list_exactly_the_codes_of_the_code() -> None:
    markdown = README.read_text(encoding="utf-8")
    user = _table(markdown, "| `userErrors` code | Meaning |")
    assert user == [(code.value, DESCRIPTIONS[code]) for code in ErrorCode]
    in_source = set()
    for package in ("app", "schema", "resolvers", "permissions"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in SOURCE_CODES:
                in_source |= set(re.findall(pattern, text))
    top = {  # a row may name several codes: `A`, `B`
        code
        for codes, _ in _table(markdown, "| `extensions.code` | When |")
        for code in re.findall(r"[A-Z][A-Z_]+", codes)
    }
    assert top == in_source


@pytest_asyncio.fixture
async def demo_database(tmp_path: Path) -> AsyncIterator[str]:
    async with test_db.process_database(tmp_path, "readme") as url:
        yield url


async def test_the_readme_runs_as_written_against_a_fresh_demo(demo_database: str) -> None:
    system_port = free_port()
    env = {
        "DATABASE_URL": demo_database,
        "DEMO_SYSTEM_PORT": str(system_port),
        "OUTBOX_POLL_MS": "200",
        "ALLOWED_ORIGINS": CORS_ORIGIN,
    }
    runnable = [b for b in blocks(README.read_text(encoding="utf-8")) if b.runs]
    assert sum(b.language == "graphql" for b in runnable) >= 20
    with running(["demo"], env) as server:
        tokens = {name.split()[0]: token for name, token in demo_tokens(server.output).items()}
        address = server.url.removeprefix("http://")
        shell_env = {
            **os.environ,
            **env,
            "LUUKKU_PORT": str(server.port),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        }
        results: list[dict[str, Any]] = []
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            for block in runnable:
                if block.language == "sh":
                    script = block.text.replace("127.0.0.1:8000", address).replace(
                        "127.0.0.1:8099", f"127.0.0.1:{system_port}"
                    )
                    done = subprocess.run(
                        ["bash", "-euo", "pipefail", "-c", script],
                        cwd=ROOT,
                        env=shell_env,
                        capture_output=True,
                        text=True,
                        timeout=120,
                    )
                    assert done.returncode == 0, f"{block}:\n{done.stdout}\n{done.stderr}"
                    continue
                headers = {"Accept-Language": block.options.get("lang", "fi")}
                if "as" in block.options:
                    headers["Authorization"] = f"Bearer {tokens[block.options['as']]}"
                query = fill(block.text, results)
                response = await client.post("/graphql", json={"query": query}, headers=headers)
                assert response.status_code == 200, f"{block}: {response.text}"
                body = response.json()
                codes = {e["code"] for e in _errors_in(body.get("data"))} | {
                    e.get("extensions", {}).get("code") for e in body.get("errors", [])
                }
                expected = block.options.get("expect")
                if expected:
                    assert expected in codes, f"{block}: expected {expected}, got {body}"
                else:
                    assert codes == set(), f"{block}:\n{query}\n{body}"
                results.append(body.get("data") or {})
