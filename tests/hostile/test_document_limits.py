"""Every check before execution is linear in the document: the worst documents under each
limit are checked in bounded work (counted) and time (a generous guard only)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable

import pytest
from graphql import parse, validate
from graphql.validation import OverlappingFieldsCanBeMergedRule

from models.settings import get_settings
from schema.checks import RULES, check_document, limits_of
from schema.limits import CAP, measure_document
from schema.overlap import FieldsCanMergeRule, find_conflicts
from schema.root import schema
from tests.factories import GQL

GRAPHQL = schema._schema
#: a hang guard, not a timing: each of these took from 0.4 s to over ten minutes before
GUARD_SECONDS = 5.0


def fan_out(levels: int) -> str:
    fragments = " ".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    return f"{{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


def duplicate_tree(levels: int) -> str:
    inner = "name"
    for _ in range(levels):
        inner = f"fields {{ type {{ {inner} }} }} fields {{ type {{ {inner} }} }}"
    return '{ __type(name: "Query") { ' + inner + " } }"


def side_by_side_fragments(n: int) -> str:
    spreads = " ".join(f"...F{i}" for i in range(n))
    return f"{{ {spreads} }} " + " ".join(
        f"fragment F{i} on Query {{ __typename }}" for i in range(n)
    )


def fragment_chain(n: int) -> str:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(n))
    return f"{{ ...F0 }} {chain} fragment F{n} on Query {{ __typename }}"


def nested_introspection(levels: int) -> str:
    inner = "name"
    for _ in range(levels):
        inner = f"fields {{ type {{ {inner} }} }}"
    return '{ __type(name: "Query") { ' + inner + " } }"


def tokens(query: str) -> int:
    """Names, numbers, strings and punctuators, as graphql-core counts them for MAX_TOKENS."""
    return len(re.findall(r'[_A-Za-z][_0-9A-Za-z]*|-?\d+|"[^"]*"|\.\.\.|[{}():$@!\[\]=|&]', query))


#: The worst documents we know of, each as large as MAX_TOKENS (2000) lets it be.
WORST: dict[str, Callable[[], str]] = {
    "fan-out of 40 fragments": lambda: fan_out(40),
    "fan-out inside introspection": lambda: fan_out(40).replace(
        "{ ...F0 }", "{ __schema { types { name } } ...F0 }"
    ),
    "400 copies of one field": lambda: "{ " + "viewer { isAuthenticated } " * 400 + "}",
    "duplicated subtrees, 7 levels": lambda: duplicate_tree(7),
    "220 fragments side by side": lambda: side_by_side_fragments(220),
    "a chain of 300 fragments": lambda: fragment_chain(300)[:9000],
    "introspection nested 60 levels": lambda: nested_introspection(60),
    "fields nested 190 levels": lambda: "{" + "viewer{" * 190 + "x" + "}" * 190 + "}",
    "600 arguments": lambda: "{ node(" + " ".join("id: 1" for _ in range(600)) + ") { id } }",
    "400 variables": lambda: (
        "query(" + " ".join(f"$v{i}: Int" for i in range(400)) + ") { __typename }"
    ),
    "99 KB of comments": lambda: "#" + "x" * 99_000 + "\n{ __typename }",
    "a 99 KB string": lambda: (
        '{ authorities(municipalityCode: "' + "x" * 99_000 + '") { totalCount } }'
    ),
}


@pytest.mark.parametrize("name", sorted(WORST))
def test_worst_documents_are_checked_in_linear_work(name: str) -> None:
    settings = get_settings()
    query = WORST[name]()
    started = time.monotonic()
    checked = check_document(
        GRAPHQL, query, limits_of(settings), settings.max_tokens, True, settings.max_document_chars
    )
    assert time.monotonic() - started < GUARD_SECONDS
    if checked.document is None:
        return  # refused by the parser (tokens, nesting)
    size = tokens(query)
    measure = measure_document(GRAPHQL, checked.document, limits_of(settings))
    assert measure.steps <= 4 * size, (measure.steps, size)
    if not checked.errors or all(
        e.extensions.get("code") != "MAX_COST_EXCEEDED" for e in checked.errors if e.extensions
    ):
        # within the limits: the overlap check walks the bounded expansion once
        _, steps = find_conflicts(GRAPHQL, checked.document)
        assert steps <= 50 * size + 4 * measure.operations[""].cost(1), (steps, size)


async def test_fragment_fan_out_is_refused_at_once(gql: GQL) -> None:
    """The 1.6 KB document that pinned a worker's CPU for more than ten minutes."""
    document = fan_out(40)
    assert len(document) < 2000
    result = await asyncio.wait_for(
        asyncio.to_thread(lambda: asyncio.run(schema.execute(document))),
        timeout=GUARD_SECONDS * 4,
    )
    assert result.errors is not None
    assert result.errors[0].extensions == {
        "code": "MAX_COST_EXCEEDED",
        "limit": get_settings().max_query_cost,
        "cost": CAP,  # 2**40, capped
    }
    answer = await gql(document, errors=True)
    assert answer["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


async def test_a_missing_fragment_is_a_coded_validation_error(gql: GQL) -> None:
    answer = await gql("{ ...Missing }", errors=True)
    assert answer["errors"] == [
        {
            "message": "Unknown fragment 'Missing'.",
            "locations": [{"line": 1, "column": 6}],
            "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
        }
    ]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ viewer \u0000 }", "GRAPHQL_PARSE_FAILED"),
        ("{ viewer {", "GRAPHQL_PARSE_FAILED"),
        ("{ " + "viewer { isAuthenticated } " * 600 + "}", "MAX_TOKENS_EXCEEDED"),
        ("{" + "viewer{" * 250 + "x" + "}" * 250 + "}", "GRAPHQL_PARSE_FAILED"),
    ],
)
async def test_documents_that_do_not_parse_get_a_code(gql: GQL, query: str, code: str) -> None:
    answer = await gql(query, errors=True)
    assert [e["extensions"]["code"] for e in answer["errors"]] == [code]


async def test_a_document_too_long_to_lex_is_refused_unparsed(gql: GQL) -> None:
    """A megabyte of comments took 1.6 s of graphql-core's lexer, twice."""
    started = time.monotonic()
    answer = await gql("#" + "x" * 1_000_000 + "\n{ __typename }", errors=True)
    assert time.monotonic() - started < GUARD_SECONDS
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["DOCUMENT_TOO_LARGE"]
    assert answer.get("data") is None


def test_depth_aliases_and_cost_count_each_fragment_once() -> None:
    limits = limits_of(get_settings())
    document = parse(
        "query { ...A ...A } fragment A on Query { a: viewer { person { name } } ...B } "
        "fragment B on Query { projects(first: 50) { totalCount nodes { id name } } }"
    )
    measure = measure_document(GRAPHQL, document, limits).operations[""]
    assert measure.depth == 2  # as Strawberry counted it: leaves add none
    assert measure.aliases == 2  # spread twice: counted as expanded
    # per spread of A: viewer 1 + person 1 + name 1; B: projects 1 + totalCount 1 +
    # nodes (1 + 50 × 2)
    assert measure.cost(1) == 2 * (3 + 1 + 1 + 1 + 50 * 2)
    lists = measure_document(
        GRAPHQL, parse("{ municipalities { code } serviceBundles { code } }"), limits
    ).operations[""]
    assert lists.cost(1) == (1 + 400) + (1 + 10)  # list_size metadata, else DEFAULT_LIST_SIZE


NO_CONFLICT_AND_CONFLICT = [
    "{ viewer { isAuthenticated } viewer { isAuthenticated } }",
    "{ a: viewer { isAuthenticated } a: municipalities { code } }",
    '{ a: project(id: "1") { name } a: project(id: "2") { name } }',
    '{ a: project(id: "1") { name } a: project(id: "1") { name } }',
    '{ project(id: "1") { x: name } project(id: "1") { x: description } }',
    '{ node(id: "1") { ... on Project { x: name } ... on Application { x: status } } }',
    '{ node(id: "1") { ... on Project { x: name } ... on Person { x: name } } }',
    '{ node(id: "1") { id ... on Project { id: name } } }',
    "{ ...A ...B } fragment A on Query { v: viewer { isAuthenticated } } "
    "fragment B on Query { v: municipalities { code } }",
    "{ viewer { ...A } viewer { ...B } } fragment A on Viewer { x: isAuthenticated } "
    "fragment B on Viewer { x: person { name } }",
    '{ node(id:"1") { ... on Project { a: name } } node(id:"1") { ... on Project { a: description } } }',
    '{ node(id:"1") { ... on Node { x: id } ... on Project { x: id } } }',
    '{ node(id:"1") { ... on Node { x: id } ... on Project { x: name } } }',
]


@pytest.mark.parametrize("query", NO_CONFLICT_AND_CONFLICT)
def test_the_linear_overlap_rule_decides_like_graphql_core(query: str) -> None:
    document = parse(query)
    theirs = validate(GRAPHQL, document, [OverlappingFieldsCanBeMergedRule])
    ours = validate(GRAPHQL, document, [FieldsCanMergeRule])
    assert bool(ours) == bool(theirs), (ours, theirs)
    assert OverlappingFieldsCanBeMergedRule not in RULES and FieldsCanMergeRule in RULES
