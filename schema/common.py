"""Shared GraphQL types: localized texts, user errors, connections and ids."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar

import orjson
import strawberry
from graphql import GraphQLError
from strawberry import relay

from models.errors import DESCRIPTIONS, ErrorCode
from models.settings import get_settings

T = TypeVar("T")

UserErrorCode = ErrorCode
strawberry.enum(
    UserErrorCode,
    name="UserErrorCode",
    description="Machine-readable reason of a user error.",
)
# strawberry.enum sets __strawberry_definition__ on the class; its type does not say so
for _value in UserErrorCode.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = DESCRIPTIONS[ErrorCode(_value.value)]

First = Annotated[
    int | None,
    strawberry.argument(
        description="Page size: at most MAX_PAGE_SIZE (100 by default); 20 if omitted."
    ),
]
After = Annotated[
    str | None, strawberry.argument(description="Start after this cursor (`pageInfo.endCursor`).")
]
IdArgument = Annotated[strawberry.ID, strawberry.argument(description="The object's global id.")]
#: For `input: Annotated[<Mutation>Input, InputArgument]`.
InputArgument = strawberry.argument(description="The mutation's input.")


@strawberry.type(description="A text in Finland's languages: Finnish, Swedish and English.")
class LocalizedText:
    fi: str = strawberry.field(description="In Finnish.")
    sv: str = strawberry.field(description="In Swedish.")
    en: str = strawberry.field(description="In English.")

    @classmethod
    def of(cls, value: dict[str, str]) -> LocalizedText:
        return cls(fi=value.get("fi", ""), sv=value.get("sv", ""), en=value.get("en", ""))

    @classmethod
    def maybe(cls, value: dict[str, str] | None) -> LocalizedText | None:
        return None if value is None else cls.of(value)


@strawberry.type(description="A business failure of a mutation or query, for the user to fix.")
class UserError:
    code: UserErrorCode = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="Explanation in the request's language.")
    field: list[str] | None = strawberry.field(
        description='Path of the input field at fault, e.g. ["input", "content", "date"]. '
        "What applicationSubmit finds missing or invalid is at the path of the input field "
        'that supplies it: ["input", "content", …] (applicationUpdate) or ["input", '
        '"sharedData", …], ["input", "startsOn"], … (projectUpdate).'
    )


@strawberry.type(description="An edge in a connection: a node and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        resolver=lambda self: encode_cursor(self.key),
        description="Opaque cursor of this node, for `after`.",
    )
    node: T = strawberry.field(description="The item at the end of the edge.")
    #: what the cursor encodes: encoded only when `cursor` is asked for
    key: strawberry.Private[Sequence[Any]]


@strawberry.type(description="A page of a list that can grow, in Relay's connection form.")
class Connection(Generic[T]):
    #: the page's items as built (the nodes), their rows and what gives a row's cursor key:
    #: edges, cursors and the page info are made only when they are asked for
    items: strawberry.Private[list[T]]
    rows: strawberry.Private[Sequence[Any]]
    cursor: strawberry.Private[Callable[[Any], Sequence[Any]]]
    has_next: strawberry.Private[bool]
    #: the count, or how to count (only when `totalCount` is asked for: it costs a query)
    total: strawberry.Private[int | Callable[[], Awaitable[int]]]

    @strawberry.field(description="The items of this page with cursors.")
    def edges(self) -> list[Edge[T]]:
        cursor = self.cursor
        return [
            Edge(key=cursor(row), node=node)
            for row, node in zip(self.rows, self.items, strict=True)
        ]

    @strawberry.field(description="Where this page is in the list.")
    def page_info(self) -> relay.PageInfo:
        rows = self.rows
        return relay.PageInfo(
            has_next_page=self.has_next,
            has_previous_page=False,
            start_cursor=encode_cursor(self.cursor(rows[0])) if rows else None,
            end_cursor=encode_cursor(self.cursor(rows[-1])) if rows else None,
        )

    @strawberry.field(description="Number of items in the whole list.")
    async def total_count(self) -> int:
        if isinstance(self.total, int):
            return self.total
        return await self.total()

    @strawberry.field(description="The items of this page, without cursors.")
    def nodes(self) -> list[T]:
        return self.items


def top_level_error(code: str, message: str) -> GraphQLError:
    """A top-level error with `extensions.code` (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT)."""
    return GraphQLError(message, extensions={"code": code})


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise top_level_error("BAD_USER_INPUT", "Invalid cursor.") from exc
    if not isinstance(values, list) or len(values) != length:
        raise top_level_error("BAD_USER_INPUT", "Invalid cursor.")
    return values


def page_size(first: int | None, default: int = 20) -> int:
    """The page size asked for, checked against the cap (MAX_PAGE_SIZE, 100 by default)."""
    cap = get_settings().max_page_size
    if first is None:
        return min(default, cap)
    if first < 0 or first > cap:
        raise top_level_error("BAD_USER_INPUT", f"`first` must be between 0 and {cap}.")
    return first


@dataclass
class Page(Generic[T]):
    items: list[T]
    has_next: bool


def paginate_by_id(
    items: Sequence[T], key: Callable[[T], int], first: int | None, after: str | None
) -> Page[T]:
    """Keyset pagination over an in-memory list sorted by ascending id."""
    size = page_size(first)
    start = 0
    if after is not None:
        (after_id,) = decode_cursor(after, 1)
        start = next((i for i, item in enumerate(items) if key(item) > after_id), len(items))
    window = list(items[start : start + size])
    return Page(window, start + size < len(items))


def connection(
    page: Page[T],
    total: int | Callable[[], Awaitable[int]],
    build: Callable[[T], Any],
    cursor: Callable[[T], Sequence[Any]],
) -> Connection[Any]:
    """The page as a connection: its items built now, their edges and cursors when asked."""
    rows = page.items
    return Connection(
        items=[build(row) for row in rows],
        rows=rows,
        cursor=cursor,
        has_next=page.has_next,
        total=total,
    )


def enum_of(enum: type[Enum], description: str) -> Any:
    return strawberry.enum(enum, description=description)
