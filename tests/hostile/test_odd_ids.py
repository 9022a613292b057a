"""Odd global ids (issue 10, item 3): a local part that is not plain ASCII digits, too many
digits, negative, empty, or no base64 at all is not an id. Lookups answer null, mutations a
coded error; never INTERNAL_SERVER_ERROR, never an exception's text, in any LUUKKU_ENV.

The id arguments are found by introspecting the schema, so a new one is covered too."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)

from models.ids import MAX_DB_ID, decode_global_id, global_id, local_id
from schema.root import schema
from tests.factories import GQL, make_customer, make_handler

S = schema._schema


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


ODD_LOCAL_PARTS = [
    "²",  # str.isdigit() says yes, int() says no
    "١٢",  # Arabic-Indic digits
    "9" * 375_000,
    "9" * 11,
    str(MAX_DB_ID + 1),
    "-1",
    "0",
    "007",
    "",
    " 1",
    "1 ",
    "1e3",
    "+1",
    "1_000",
    "0x1",
]
ODD_IDS = (
    [_b64(f"Application:{p}") for p in ODD_LOCAL_PARTS]
    + [
        "!!!",
        "",
        "QXBwbGljYXRpb246MQ",  # no padding
        _b64("Application"),  # no colon
        _b64(":1"),
        _b64("Application:1")[:-1] + "\x00",
        base64.b64encode(b"\xff\xfe:1").decode(),
        "é" * 10,
    ]
)


@pytest.mark.parametrize("local", ODD_LOCAL_PARTS)
def test_odd_local_parts_are_not_ids(local: str) -> None:
    assert local_id(local) is None
    assert decode_global_id(_b64(f"Application:{local}")) is None


def test_plain_ids_decode() -> None:
    assert decode_global_id(global_id("Application", 1)) == ("Application", 1)
    assert decode_global_id(global_id("Project", MAX_DB_ID)) == ("Project", MAX_DB_ID)
    assert local_id("42") == 42


@pytest.mark.parametrize("odd", ODD_IDS)
def test_the_decoder_never_raises(odd: str) -> None:
    assert decode_global_id(odd) is None


def _unwrap(kind: Any) -> Any:
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    return kind


def _is_id(kind: Any) -> bool:
    return isinstance(_unwrap(kind), GraphQLScalarType) and _unwrap(kind).name == "ID"


def _value(kind: Any, odd: str) -> Any:
    """A value of the input type: ids odd, everything else plausible."""
    required = isinstance(kind, GraphQLNonNull)
    inner = kind.of_type if required else kind
    if isinstance(inner, GraphQLList):
        return [_value(inner.of_type, odd)] if _is_id(inner) else []
    if isinstance(inner, GraphQLInputObjectType):
        return {
            name: _value(field.type, odd)
            for name, field in inner.fields.items()
            if _is_id(field.type) or isinstance(field.type, GraphQLNonNull)
        }
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    name = inner.name
    return {
        "ID": odd,
        "String": "x",
        "Int": 1,
        "Float": 1.0,
        "Boolean": False,
        "Date": "2027-01-01",
        "DateTime": "2027-01-01T00:00:00Z",
        "JSON": {},
    }.get(name, "x")


def _id_fields(root: Any) -> list[tuple[str, dict[str, Any]]]:
    """(field, its arguments) of every root field that takes an id somewhere."""
    found = []
    for name, field in root.fields.items():
        if any(_has_id(arg.type) for arg in field.args.values()):
            found.append((name, dict(field.args)))
    return found


def _has_id(kind: Any, seen: frozenset[str] = frozenset()) -> bool:
    inner = _unwrap(kind)
    if _is_id(kind):
        return True
    if isinstance(inner, GraphQLInputObjectType) and inner.name not in seen:
        return any(_has_id(f.type, seen | {inner.name}) for f in inner.fields.values())
    return False


def _operation(kind: str, name: str, args: dict[str, Any], root: Any) -> str:
    declared = ", ".join(f"${a}: {arg.type}" for a, arg in args.items())
    passed = ", ".join(f"{a}: ${a}" for a in args)
    result = _unwrap(root.fields[name].type)
    selection = " { __typename }" if hasattr(result, "fields") else ""
    return f"{kind}({declared}) {{ {name}({passed}){selection} }}"


QUERY_FIELDS = _id_fields(S.query_type)
MUTATION_FIELDS = _id_fields(S.mutation_type)


def test_the_introspection_finds_the_id_arguments() -> None:
    names = {n for n, _ in QUERY_FIELDS} | {n for n, _ in MUTATION_FIELDS}
    assert {"node", "project", "application", "applicationUpdate", "messagePost"} <= names


def _codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code", "") for e in body.get("errors", [])]


def _assert_clean(body: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    codes = _codes(body)
    assert "INTERNAL_SERVER_ERROR" not in codes, body
    assert all(codes), body  # every error has a code
    for error in body.get("errors", []):
        assert "Traceback" not in error["message"] and "ValueError" not in error["message"]
    tracebacks = [r for r in caplog.records if r.exc_info and r.levelno >= logging.ERROR]
    assert not tracebacks, tracebacks[0].getMessage()


async def test_lookups_of_odd_ids_are_null(gql: GQL, caplog: pytest.LogCaptureFixture) -> None:
    customer = await make_customer()
    for odd in ODD_IDS:
        for field in ("node", "project", "application"):
            body = await gql(
                f"query($id: ID!) {{ {field}(id: $id) {{ id }} }}",
                {"id": odd},
                token=customer.token,
                errors=True,
            )
            _assert_clean(body, caplog)
            assert body.get("data") == {field: None}, (field, odd, body)


@pytest.mark.parametrize("odd", [ODD_IDS[0], ODD_IDS[2], ODD_IDS[5], ODD_IDS[8], "!!!"])
async def test_every_id_argument_takes_odd_ids_cleanly(
    gql: GQL, caplog: pytest.LogCaptureFixture, odd: str
) -> None:
    customer, handler = await make_customer(), await make_handler("helsinki-police")
    for kind, root, fields in (
        ("query", S.query_type, QUERY_FIELDS),
        ("mutation", S.mutation_type, MUTATION_FIELDS),
    ):
        for name, args in fields:
            variables = {a: _value(arg.type, odd) for a, arg in args.items()}
            for actor in (customer, handler):
                body = await gql(
                    _operation(kind, name, args, root), variables, token=actor.token, errors=True
                )
                _assert_clean(body, caplog)
