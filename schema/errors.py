"""Error handling: a code on every top-level error, on every transport; bugs masked and
logged once.

Strawberry reports some errors outside the extensions' reach (a failing extension hook,
every result streamed over WebSocket), so codes are added where every result passes: the
schema's `execute` and `stream`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any, TypeVar

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry import Schema
from strawberry.types import ExecutionContext
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from models.errors import EXCERPT_LENGTH, excerpt
from models.settings import get_settings

log = logging.getLogger("luukku.graphql")

INTERNAL = "INTERNAL_SERVER_ERROR"
#: graphql-core's suggestions, removed from messages unless GRAPHQL_FIELD_SUGGESTIONS is on
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def is_bug(error: GraphQLError) -> bool:
    """An error no client caused: an exception that is not a GraphQLError."""
    original = error.original_error
    if error.path is None and isinstance(original, RecursionError | ValueError | TypeError):
        # before execution: a literal a scalar refused (graphql-core keeps the scalar's
        # ValueError), or a document or variables nested beyond the interpreter's stack
        return False
    return original is not None and not isinstance(original, GraphQLError)


def _client_code(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(error, GraphQLSyntaxError) or isinstance(original, GraphQLSyntaxError):
        if "tokens" in error.message and "more than" in error.message:
            return "MAX_TOKENS_EXCEEDED"
        return "GRAPHQL_PARSE_FAILED"
    if isinstance(original, RecursionError):
        return "GRAPHQL_PARSE_FAILED"
    if isinstance(original, GraphQLError) and original.extensions and "code" in original.extensions:
        return str(original.extensions["code"])
    return "GRAPHQL_VALIDATION_FAILED"


def with_code(error: GraphQLError) -> GraphQLError:
    """Every top-level error carries `extensions.code`; bugs are masked in production and
    suggestions removed unless enabled."""
    settings = get_settings()
    message = error.message
    if not settings.field_suggestions:
        message = _SUGGESTION.sub("", message)
    extensions = error.extensions or {}
    has_code = "code" in extensions
    if has_code and message == error.message and not isinstance(error, GraphQLSyntaxError):
        return error
    if has_code:
        code = str(extensions["code"])
    elif is_bug(error):
        code = INTERNAL
        if not settings.is_development:
            message = "Unexpected error."
    else:
        code = _client_code(error)
        if isinstance(error.original_error, RecursionError):
            message = "The document or its variables are nested too deeply."
    masked = code == INTERNAL and message == "Unexpected error."
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None
        if masked or isinstance(error.original_error, RecursionError)
        else error.original_error,
        extensions={**(error.extensions or {}), "code": code},
    )


R = TypeVar("R")


def _coded(result: R) -> R:
    if isinstance(result, ExecutionResult) and result.errors:
        result.errors = [shortened(with_code(e)) for e in result.errors]
    return result


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


def coded_errors(schema: Any, errors: list[GraphQLError]) -> list[GraphQLError]:
    """The errors of a streamed result as `LuukkuSchema.stream` sends them: logged (bugs),
    coded, masked and shortened (a parked subscription's events, resolvers/live/table.py)."""
    schema.process_errors(errors)
    return [shortened(with_code(e)) for e in errors]


class LuukkuSchema(Schema):
    #: planned loading at the project roots (LUUKKU_PLANNER, resolvers/planned.py)
    planner: bool = True

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log bugs with their traceback; client errors are normal traffic, not log noise."""
        for error in errors:
            if is_bug(error):
                log.error("unexpected error in %s", error.path, exc_info=error.original_error)

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        return _coded(await super().execute(*args, **kwargs))

    def execute_sync(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        return _coded(super().execute_sync(*args, **kwargs))

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        """Every streamed result (WebSocket operations and subscription events) coded and
        masked like an HTTP one; an extension failing mid-stream ends it with a coded error
        instead of a bare `complete`."""
        return self._coded_stream(await super().stream(*args, **kwargs))

    async def _coded_stream(self, source: AsyncIterator[Any]) -> AsyncGenerator[Any, None]:
        first = True
        try:
            async with aclosing(source):
                async for result in source:
                    yield _coded(result)
                    first = False
        except Exception as exc:
            error = GraphQLError(str(exc), original_error=exc)
            self.process_errors([error])
            coded = [shortened(with_code(error))]
            yield (
                PreExecutionError(data=None, errors=coded)
                if first
                else ExecutionResult(data=None, errors=coded)
            )
