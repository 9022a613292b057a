"""Error handling: codes on every top-level error, bugs masked and logged once."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry import Schema
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from app.settings import get_settings
from models.errors import EXCERPT_LENGTH, excerpt

log = logging.getLogger("luukku.graphql")

INTERNAL = "INTERNAL_SERVER_ERROR"


def is_bug(error: GraphQLError) -> bool:
    """An error no client caused: an exception that is not a GraphQLError."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def with_code(error: GraphQLError) -> GraphQLError:
    """Every top-level error carries `extensions.code`."""
    if error.extensions and "code" in error.extensions:
        return error
    if is_bug(error):
        code, message = INTERNAL, error.message
        if not get_settings().is_development:
            message = "Unexpected error."
    else:
        code, message = "GRAPHQL_VALIDATION_FAILED", error.message
        original = error.original_error
        if (
            isinstance(original, GraphQLError)
            and original.extensions
            and "code" in original.extensions
        ):
            code = original.extensions["code"]
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None
        if code == INTERNAL and message == "Unexpected error."
        else error.original_error,
        extensions={**(error.extensions or {}), "code": code},
    )


class ErrorHandling(SchemaExtension):
    """Adds codes to errors and masks bugs outside development (after they are logged)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and getattr(result, "errors", None):
            result.errors = [shortened(with_code(e)) for e in result.errors]


#: How much of one message an error may keep: graphql-core's messages quote the values and
#: names a client sent ("Value 'QQQ…' does not exist", "Cannot query field 'QQQ…'").
MESSAGE_MAX = 1000


def shortened(error: GraphQLError) -> GraphQLError:
    """The error with every long run of non-space characters (what the client sent) cut to
    a short excerpt, and the whole message to MESSAGE_MAX characters."""
    message = re.sub(rf"\S{{{EXCERPT_LENGTH + 1},}}", lambda m: excerpt(m.group(0)), error.message)
    message = excerpt(message, MESSAGE_MAX)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


class LuukkuSchema(Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log bugs with their traceback; client errors are normal traffic, not log noise."""
        for error in errors:
            if is_bug(error):
                log.error("unexpected error in %s", error.path, exc_info=error.original_error)
