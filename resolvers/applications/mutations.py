"""Customer mutations on applications."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import strawberry
from strawberry.scalars import JSON

from actions import applications as actions
from permissions.fields import person_only
from resolvers.catalogue.queries import SurveyAnswerInput, answers_of
from resolvers.context import Info
from resolvers.errors import run_action
from schema.application import Application, visible_application
from schema.common import InputArgument, UserError
from schema.node import decode_id


@strawberry.interface(description="Result of a mutation on one application.")
class ApplicationPayload:
    application: Application | None = strawberry.field(
        description="The application after the change."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was changed.")


@strawberry.type(description="Result of applicationCreate.")
class ApplicationCreatePayload(ApplicationPayload):
    pass


@strawberry.type(description="Result of applicationUpdate.")
class ApplicationUpdatePayload(ApplicationPayload):
    pass


@strawberry.type(description="Result of applicationShare.")
class ApplicationSharePayload(ApplicationPayload):
    pass


@strawberry.type(description="Result of applicationSubmit.")
class ApplicationSubmitPayload(ApplicationPayload):
    pass


@strawberry.type(description="Result of applicationWithdraw.")
class ApplicationWithdrawPayload(ApplicationPayload):
    pass


@strawberry.input(description="Add an application for a permit to a project.")
class ApplicationCreateInput:
    project_id: strawberry.ID = strawberry.field(description="The project.")
    permit_type_id: strawberry.ID = strawberry.field(
        description="The permit type; it must be offered in the project's municipality."
    )
    survey_answers: list[SurveyAnswerInput] | None = strawberry.field(
        default=None,
        description="The survey answers that suggested this permit; omit when adding by hand.",
    )


@strawberry.input(description="Save a draft's form content.")
class ApplicationUpdateInput:
    id: strawberry.ID = strawberry.field(description="The application (a draft).")
    expected_version: int = strawberry.field(description="The version you last saw.")
    content: JSON = strawberry.field(
        description="The whole form content; checked against the permit type's schema "
        "(required fields may still be missing in a draft)."
    )


@strawberry.input(description="Show a draft to authorities, or hide it again.")
class ApplicationShareInput:
    id: strawberry.ID = strawberry.field(description="The application (a draft).")
    expected_version: int = strawberry.field(description="The version you last saw.")
    shared: bool = strawberry.field(description="True to make the draft visible to authorities.")


@strawberry.input(description="Submit an application to its authority.")
class ApplicationSubmitInput:
    id: strawberry.ID = strawberry.field(description="The application (a draft).")
    expected_version: int = strawberry.field(description="The version you last saw.")


@strawberry.input(description="Withdraw an application before it has a final status.")
class ApplicationWithdrawInput:
    id: strawberry.ID = strawberry.field(description="The application.")
    expected_version: int = strawberry.field(description="The version you last saw.")
    comment: str | None = strawberry.field(default=None, description="Why, for the authority.")


P = TypeVar("P", bound=ApplicationPayload)


async def respond(payload: type[P], info: Info, action: Callable[[], Awaitable[int]]) -> P:
    """Run an application action and answer with the application as the viewer now sees it."""
    application_id, errors = await run_action(info, action)
    application = (
        None if application_id is None else await visible_application(info, application_id)
    )
    return payload(application=application, user_errors=errors)


def application_id_of(value: strawberry.ID) -> int:
    """The database id of an application global id in `input.id` (NOT_FOUND if it is not one)."""
    return decode_id(value, "Application", ["id"])


async def application_create(
    info: Info, input: Annotated[ApplicationCreateInput, InputArgument]
) -> ApplicationCreatePayload:
    viewer = info.context.viewer
    return await respond(
        ApplicationCreatePayload,
        info,
        lambda: actions.application_create(
            viewer,
            decode_id(input.project_id, "Project", ["projectId"]),
            decode_id(input.permit_type_id, "PermitType", ["permitTypeId"]),
            None if input.survey_answers is None else answers_of(input.survey_answers),
        ),
    )


async def application_update(
    info: Info, input: Annotated[ApplicationUpdateInput, InputArgument]
) -> ApplicationUpdatePayload:
    viewer = info.context.viewer
    return await respond(
        ApplicationUpdatePayload,
        info,
        lambda: actions.application_update(
            viewer, application_id_of(input.id), input.expected_version, input.content
        ),
    )


async def application_share(
    info: Info, input: Annotated[ApplicationShareInput, InputArgument]
) -> ApplicationSharePayload:
    viewer = info.context.viewer
    return await respond(
        ApplicationSharePayload,
        info,
        lambda: actions.application_share(
            viewer, application_id_of(input.id), input.expected_version, input.shared
        ),
    )


async def application_submit(
    info: Info, input: Annotated[ApplicationSubmitInput, InputArgument]
) -> ApplicationSubmitPayload:
    viewer = info.context.viewer
    return await respond(
        ApplicationSubmitPayload,
        info,
        lambda: actions.application_submit(
            viewer, application_id_of(input.id), input.expected_version
        ),
    )


async def application_withdraw(
    info: Info, input: Annotated[ApplicationWithdrawInput, InputArgument]
) -> ApplicationWithdrawPayload:
    viewer = info.context.viewer
    return await respond(
        ApplicationWithdrawPayload,
        info,
        lambda: actions.application_withdraw(
            viewer, application_id_of(input.id), input.expected_version, input.comment
        ),
    )


@strawberry.type
class ApplicationMutation:
    """Mutation fields of this area: the customer's work on applications."""

    application_create: ApplicationCreatePayload = strawberry.mutation(
        resolver=application_create,
        extensions=person_only(),
        description="Add an application (a draft) to a project.",
    )
    application_update: ApplicationUpdatePayload = strawberry.mutation(
        resolver=application_update,
        extensions=person_only(),
        description="Save a draft's form content.",
    )
    application_share: ApplicationSharePayload = strawberry.mutation(
        resolver=application_share,
        extensions=person_only(),
        description="Show a draft to authorities, or hide it again.",
    )
    application_submit: ApplicationSubmitPayload = strawberry.mutation(
        resolver=application_submit,
        extensions=person_only(),
        description="Submit an application to its authority.",
    )
    application_withdraw: ApplicationWithdrawPayload = strawberry.mutation(
        resolver=application_withdraw,
        extensions=person_only(),
        description="Withdraw an application before it has a final status.",
    )
