"""messagePost: write to a discussion."""

from __future__ import annotations

from typing import Annotated

import strawberry

from actions.authority import message_post as post
from permissions.fields import authenticated
from resolvers.attachments.mutations import file_specs
from resolvers.context import Info
from resolvers.errors import run_action
from schema.attachment import AttachmentFileInput
from schema.authority_work import Message
from schema.common import InputArgument, UserError
from schema.node import decode_id


@strawberry.input(description="Post a message to a discussion thread.")
class MessagePostInput:
    thread_id: strawberry.ID = strawberry.field(
        description="The thread (`Application.thread` or `Project.thread`)."
    )
    body: str = strawberry.field(description="The message (at most 10,000 characters).")
    attachments: list[AttachmentFileInput] | None = strawberry.field(
        default=None, description="Files sent with the message (multipart request)."
    )


@strawberry.type(description="Result of messagePost.")
class MessagePostPayload:
    message: Message | None = strawberry.field(description="The posted message.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was posted.")


async def message_post(
    info: Info,
    input: Annotated[MessagePostInput, InputArgument],
) -> MessagePostPayload:
    viewer = info.context.viewer
    message_id, errors = await run_action(
        info,
        lambda: post(
            viewer,
            decode_id(input.thread_id, "Thread", ["threadId"]),
            input.body,
            file_specs(input.attachments),
        ),
    )
    message = None
    if message_id is not None:
        row = await info.context.loaders.message.load(message_id)
        message = None if row is None else Message.from_row(row)
    return MessagePostPayload(message=message, user_errors=errors)


@strawberry.type
class ThreadMutation:
    """Mutation fields of this area: discussions."""

    message_post: MessagePostPayload = strawberry.mutation(
        resolver=message_post,
        extensions=authenticated(),
        description="Post a message to a discussion thread.",
    )
