"""Statement requests between authorities: request, answer, decline, share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, TypeVar

import strawberry

from actions import statements as actions
from permissions.fields import authority_only
from resolvers.context import Info
from resolvers.errors import run_action
from schema.application import Application, visible_application
from schema.common import InputArgument, UserError
from schema.node import decode_id
from schema.statements import StatementRequest, visible_statement


@strawberry.interface(description="Result of a mutation on a statement request.")
class StatementPayload:
    statement_request: StatementRequest | None = strawberry.field(
        description="The statement request after the change."
    )
    application: Application | None = strawberry.field(
        description="The application it is about, as the viewer now sees it."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.input(description="Ask another authority for a statement on an application.")
class StatementRequestInput:
    id: strawberry.ID = strawberry.field(description="The application (handled by you).")
    asked_authority_id: strawberry.ID = strawberry.field(description="The authority to ask.")
    question: str = strawberry.field(description="What the statement should address.")
    due_date: date = strawberry.field(description="The statement is asked for by this day.")


@strawberry.type(description="Result of statementRequest.")
class StatementRequestPayload(StatementPayload):
    pass


@strawberry.input(description="Give the statement asked of your authority.")
class StatementAnswerInput:
    id: strawberry.ID = strawberry.field(description="The statement request.")
    answer: str = strawberry.field(description="The statement.")


@strawberry.type(description="Result of statementAnswer.")
class StatementAnswerPayload(StatementPayload):
    pass


@strawberry.input(description="Decline to give the statement asked of your authority.")
class StatementDeclineInput:
    id: strawberry.ID = strawberry.field(description="The statement request.")
    reason: str | None = strawberry.field(default=None, description="Why, for the asker.")


@strawberry.type(description="Result of statementDecline.")
class StatementDeclinePayload(StatementPayload):
    pass


@strawberry.input(description="Share a statement's texts with the customer, or hide them again.")
class StatementShareInput:
    id: strawberry.ID = strawberry.field(description="The statement request (asked by you).")
    shared: bool = strawberry.field(description="True to show the question and the answer.")


@strawberry.type(description="Result of statementShare.")
class StatementSharePayload(StatementPayload):
    pass


P = TypeVar("P", bound=StatementPayload)


async def _respond(payload: type[P], info: Info, action: Callable[[], Awaitable[int]]) -> P:
    statement_id, errors = await run_action(info, action)
    statement = None if statement_id is None else await visible_statement(info, statement_id)
    application = (
        None
        if statement is None
        else await visible_application(info, statement.row["application_id"])
    )
    return payload(statement_request=statement, application=application, user_errors=errors)


def _statement_id(value: strawberry.ID) -> int:
    return decode_id(value, "StatementRequest", ["id"])


async def statement_request(
    info: Info, input: Annotated[StatementRequestInput, InputArgument]
) -> StatementRequestPayload:
    viewer = info.context.viewer
    return await _respond(
        StatementRequestPayload,
        info,
        lambda: actions.statement_request(
            viewer,
            decode_id(input.id, "Application", ["id"]),
            decode_id(input.asked_authority_id, "Authority", ["askedAuthorityId"]),
            input.question,
            input.due_date,
        ),
    )


async def statement_answer(
    info: Info, input: Annotated[StatementAnswerInput, InputArgument]
) -> StatementAnswerPayload:
    viewer = info.context.viewer
    return await _respond(
        StatementAnswerPayload,
        info,
        lambda: actions.statement_answer(viewer, _statement_id(input.id), input.answer),
    )


async def statement_decline(
    info: Info, input: Annotated[StatementDeclineInput, InputArgument]
) -> StatementDeclinePayload:
    viewer = info.context.viewer
    return await _respond(
        StatementDeclinePayload,
        info,
        lambda: actions.statement_decline(viewer, _statement_id(input.id), input.reason),
    )


async def statement_share(
    info: Info, input: Annotated[StatementShareInput, InputArgument]
) -> StatementSharePayload:
    viewer = info.context.viewer
    return await _respond(
        StatementSharePayload,
        info,
        lambda: actions.statement_share(viewer, _statement_id(input.id), input.shared),
    )


@strawberry.type
class StatementMutation:
    """Mutation fields of this area: statements."""

    statement_request: StatementRequestPayload = strawberry.mutation(
        resolver=statement_request,
        extensions=authority_only(),
        description="Ask another authority for a statement on an application you handle.",
    )
    statement_answer: StatementAnswerPayload = strawberry.mutation(
        resolver=statement_answer,
        extensions=authority_only(),
        description="Give the statement asked of your authority.",
    )
    statement_decline: StatementDeclinePayload = strawberry.mutation(
        resolver=statement_decline,
        extensions=authority_only(),
        description="Decline to give the statement asked of your authority.",
    )
    statement_share: StatementSharePayload = strawberry.mutation(
        resolver=statement_share,
        extensions=authority_only(),
        description="Share a statement's texts with the customer (and co-authorities), or not.",
    )
