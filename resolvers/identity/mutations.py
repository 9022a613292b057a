"""actingForSelect: for whom the signed-in person acts in this session."""

from __future__ import annotations

from typing import Annotated

import strawberry

from actions import signin
from permissions.fields import person_only
from resolvers.context import Info
from resolvers.errors import run_action
from resolvers.identity.queries import viewer as viewer_query
from schema.common import InputArgument, UserError
from schema.identity import Viewer
from schema.node import decode_id


@strawberry.input(description="The organisation to act for, or null to act personally.")
class ActingForSelectInput:
    organisation_id: strawberry.ID | None = strawberry.field(
        description="One of `viewer.mayActFor`; null: act in your own name."
    )


@strawberry.type(description="The result of actingForSelect.")
class ActingForSelectPayload:
    viewer: Viewer | None = strawberry.field(
        description="The viewer afterwards (null on errors). Open subscriptions of this "
        "session close with 4403 and reconnect with the new choice."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


async def acting_for_select(
    info: Info, input: Annotated[ActingForSelectInput, InputArgument]
) -> ActingForSelectPayload:
    viewer = info.context.viewer

    async def action() -> None:
        organisation = (
            None
            if input.organisation_id is None
            else decode_id(input.organisation_id, "Organisation", ["organisationId"])
        )
        await signin.acting_for_select(viewer, organisation)
        fresh = await signin.session_viewer_by_id(viewer)
        if fresh is not None:
            info.context.viewer = fresh

    _, errors = await run_action(info, action)
    if errors:
        return ActingForSelectPayload(viewer=None, user_errors=errors)
    return ActingForSelectPayload(viewer=await viewer_query(info), user_errors=[])


@strawberry.type
class IdentityMutation:
    """Mutation fields of this area: whom the session acts for."""

    acting_for_select: ActingForSelectPayload = strawberry.mutation(
        resolver=acting_for_select,
        extensions=person_only(),
        description="Choose the organisation this browser session acts for (one of "
        "viewer.mayActFor, asked again from the mandate service), or act personally.",
    )
