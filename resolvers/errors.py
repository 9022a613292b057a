"""The one helper that turns domain errors into GraphQL user errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from models.errors import DomainError, DomainErrors
from resolvers.context import Info
from resolvers.loaders import Loaders
from schema.common import UserError

T = TypeVar("T")


def user_errors(
    exc: DomainError | DomainErrors, language: str, prefix: Sequence[str] = ("input",)
) -> list[UserError]:
    errors = exc.errors if isinstance(exc, DomainErrors) else [exc]
    return [
        UserError(
            code=error.code,
            message=error.render(language),
            field=[*prefix, *error.field] if error.field is not None else None,
        )
        for error in errors
    ]


async def run_action(
    info: Info, action: Callable[[], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """Run an action (decoding its input inside `action`, so bad ids become user errors too);
    on a domain error return its user errors instead of a result.

    After a successful change the request's loaders are replaced, so that the payload
    (and any later mutation in the same operation) reads fresh data.
    """
    try:
        result = await action()
    except (DomainError, DomainErrors) as exc:
        return None, user_errors(exc, info.context.language)
    info.context.loaders = Loaders()
    return result, []
