"""Property-based fuzzing of the real app, as every demo role (hypothesis-graphql).

Each case is a query or mutation generated from the schema (strings with control
characters and NUL, hostile dates, JSON of any shape, real and malformed ids), sent over
HTTP to the app. A case fails on: a 5xx; `INTERNAL_SERVER_ERROR`; a top-level error
without `extensions.code`; an answer slower than SLOW_SECONDS; a planted marker in the
answer of a role that may not see it. UNAUTHENTICATED, FORBIDDEN and every other coded
error are answers, not failures.

`make test` runs FUZZ_EXAMPLES (default 20) cases per role; `make fuzz` runs 850 per role
(12 roles: 10,200 cases). Half the cases are valid documents, half have one schema
violation each (hypothesis-graphql's negative mode).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from typing import Any

import graphql
import httpx
import orjson
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from schema.root import schema
from tests.fuzz.world import Role, World, build_world

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
#: a generous guard against hangs, not a timing
SLOW_SECONDS = 10.0
GRAPHQL = schema._schema

_names = st.from_regex(r"[_A-Za-z][_0-9A-Za-z]{0,12}", fullmatch=True)
_hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "x" * 300,
            "a@b",
            "x@example.org\r\nBcc: victim@example.org",
            "\x00",
            "091",
            "0912",
            "12345",
            "'; DROP TABLE project; --",
            "\u202e\u200b",
            "\ud7ff",
        ]
    ),
)


def _json_node(value: Any) -> graphql.ValueNode:
    if isinstance(value, dict):
        return nodes.Object(
            [
                graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=_json_node(v))
                for k, v in value.items()
            ]
        )
    if isinstance(value, list):
        return nodes.List([_json_node(v) for v in value])
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        return nodes.Float(value)
    if value is None:
        return graphql.NullValueNode()
    return nodes.String(value)


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _hostile_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_names, children, max_size=4),
    max_leaves=12,
).map(_json_node)
_dates = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(
        ["2027-W01", "2027-02-30", "20270101", "2027-1-1", "", "0000-00-00", "9999-12-31"]
    ),
).map(nodes.String)
_datetimes = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["2027-01-01T00:00:00Z", "2027-W01T10", "x"]),
).map(nodes.String)


def _strategy(role: Role) -> st.SearchStrategy[str]:
    ids = st.one_of(
        st.sampled_from(role.ids) if role.ids else st.nothing(),
        st.sampled_from(role.ids) if role.ids else st.nothing(),
        _hostile_text,
    ).map(nodes.String)
    scalars = {
        "ID": ids,
        "String": _hostile_text.map(nodes.String),
        "JSON": _json,
        "Date": _dates,
        "DateTime": _datetimes,
        # a JSON request cannot carry a file: an Upload here is a string or an object
        "Upload": _hostile_text.map(nodes.String) | _json,
    }
    return st.one_of(
        queries(GRAPHQL, custom_scalars=scalars),
        mutations(GRAPHQL, custom_scalars=scalars),
        # documents with one schema violation each: the validation paths
        queries(GRAPHQL, custom_scalars=scalars, mode=Mode.NEGATIVE),
        mutations(GRAPHQL, custom_scalars=scalars, mode=Mode.NEGATIVE),
    )


def _failures(role: Role, world: World, response: httpx.Response, seconds: float) -> list[str]:
    found = []
    if response.status_code >= 500:
        found.append(f"HTTP {response.status_code}")
    if seconds > SLOW_SECONDS:
        found.append(f"took {seconds:.1f} s")
    for marker in world.markers - role.may_see:
        if marker in response.text:
            found.append(f"marker {marker} seen by {role.key}")
    if response.status_code == 429:
        return found
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return [*found, "not JSON"]
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code is None:
            found.append(f"error without code: {error.get('message')!r}")
        elif code == "INTERNAL_SERVER_ERROR":
            found.append(f"INTERNAL_SERVER_ERROR: {error.get('message')!r}")
    return found


async def test_fuzz_every_role(client: httpx.AsyncClient) -> None:
    world = await build_world()
    loop = asyncio.get_running_loop()
    counts: Counter[str] = Counter()
    timings: list[tuple[float, int]] = []
    started = time.monotonic()
    failures: list[str] = []

    async def post(role: Role, document: str) -> tuple[httpx.Response, float]:
        headers = {"Authorization": f"Bearer {role.token}"} if role.token else {}
        started = time.monotonic()
        response = await client.post("/graphql", json={"query": document}, headers=headers)
        return response, time.monotonic() - started

    def fuzz(role: Role) -> None:
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=EXAMPLES <= 50,  # the bounded run in `make test` is repeatable
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(document=_strategy(role))
        def case(document: str) -> None:
            future = asyncio.run_coroutine_threadsafe(post(role, document), loop)
            response, seconds = future.result(timeout=SLOW_SECONDS * 6)
            counts[role.key] += 1
            timings.append((seconds, len(document)))
            for failure in _failures(role, world, response, seconds):
                failures.append(
                    f"{role.key}: {failure}\n  {document[:600]}\n  -> {response.text[:300]}"
                )

        case()

    for role in world.roles:
        await asyncio.to_thread(fuzz, role)
    total = sum(counts.values())
    elapsed = time.monotonic() - started
    answering = sum(t for t, _ in timings)
    slowest = max(timings, default=(0.0, 0))
    print(
        f"\nfuzz: {total} cases, {len(failures)} failures, {len(world.roles)} roles, "
        f"{elapsed:.0f} s ({answering:.0f} s answering; slowest answer {slowest[0]:.2f} s, "
        f"mean document {sum(n for _, n in timings) // max(1, len(timings))} chars): {dict(counts)}"
    )
    assert total >= EXAMPLES * len(world.roles) // 2
    assert not failures, "\n".join(failures[:20])


pytestmark = pytest.mark.fuzz
