"""attachmentAdd and attachmentRemove; the file inputs of supplementSubmit, messagePost and
decisionRecord come through `file_specs` too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import strawberry

from actions import attachments as actions
from actions.attachments import FileSpec
from models.errors import DomainError, ErrorCode
from permissions.fields import person_only
from resolvers.context import Info
from resolvers.errors import run_action
from schema.application import Application, visible_application
from schema.attachment import Attachment, AttachmentFileInput, visible_attachment
from schema.common import InputArgument, UserError
from schema.node import decode_id


def file_specs(
    files: Sequence[AttachmentFileInput] | None, field: str = "attachments"
) -> list[FileSpec]:
    """The uploads of an input list; anything that is not a file part is a user error."""
    specs = []
    for index, item in enumerate(files or []):
        upload = item.file
        if not (hasattr(upload, "read") and hasattr(upload, "filename")):
            raise DomainError(
                ErrorCode.INVALID_VALUE,
                field=[field, str(index), "file"],
                detail={
                    "fi": "odotetaan monipyynnön (multipart) tiedosto-osaa",
                    "sv": "en fildel i en multipart-begäran väntas",
                    "en": "a file part of a multipart request",
                },
            )
        # an Upload: a file part, as checked above
        specs.append(FileSpec(upload, item.kind, [field, str(index)]))  # type: ignore[arg-type]
    return specs


@strawberry.input(description="Attach files to an application draft.")
class AttachmentAddInput:
    application_id: strawberry.ID = strawberry.field(description="The application (a draft).")
    files: list[AttachmentFileInput] = strawberry.field(
        description="The files, each with the requirement it meets (if any)."
    )


@strawberry.type(description="Result of attachmentAdd.")
class AttachmentAddPayload:
    attachments: list[Attachment] | None = strawberry.field(
        description="The new attachments (scanStatus PENDING until the virus scan is done)."
    )
    application: Application | None = strawberry.field(description="The application.")
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing was attached (no file is kept then)."
    )


@strawberry.input(description="Remove a file from an application draft.")
class AttachmentRemoveInput:
    id: strawberry.ID = strawberry.field(description="The attachment.")


@strawberry.type(description="Result of attachmentRemove.")
class AttachmentRemovePayload:
    application: Application | None = strawberry.field(description="The application after it.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was removed.")


async def attachment_add(
    info: Info, input: Annotated[AttachmentAddInput, InputArgument]
) -> AttachmentAddPayload:
    viewer = info.context.viewer
    application_id = None

    async def act() -> list[int]:
        nonlocal application_id
        application_id = decode_id(input.application_id, "Application", ["applicationId"])
        specs = file_specs(input.files, "files")
        if not specs:
            raise DomainError(ErrorCode.REQUIRED, field=["files"])
        return await actions.attachment_add(viewer, application_id, specs)

    ids, errors = await run_action(info, act)
    if ids is None:
        return AttachmentAddPayload(attachments=None, application=None, user_errors=errors)
    found = [await visible_attachment(info, i) for i in ids]
    assert application_id is not None
    return AttachmentAddPayload(
        attachments=[a for a in found if a is not None],
        application=await visible_application(info, application_id),
        user_errors=[],
    )


async def attachment_remove(
    info: Info, input: Annotated[AttachmentRemoveInput, InputArgument]
) -> AttachmentRemovePayload:
    viewer = info.context.viewer
    application_id, errors = await run_action(
        info,
        lambda: actions.attachment_remove(viewer, decode_id(input.id, "Attachment", ["id"])),
    )
    application = (
        None if application_id is None else await visible_application(info, application_id)
    )
    return AttachmentRemovePayload(application=application, user_errors=errors)


@strawberry.type
class AttachmentMutation:
    """Mutation fields of this area: attachments."""

    attachment_add: AttachmentAddPayload = strawberry.mutation(
        resolver=attachment_add,
        extensions=person_only(),
        description="Attach files to an application draft (a multipart request); each is "
        "checked, stored, and then scanned for viruses.",
    )
    attachment_remove: AttachmentRemovePayload = strawberry.mutation(
        resolver=attachment_remove,
        extensions=person_only(),
        description="Remove a file from an application draft; the file is deleted.",
    )
