"""Authority mutations, and the customer's answer to a supplement request."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from actions import authority as actions
from models.statuses import ApplicationStatus as DomainStatus
from permissions.fields import authority_only, person_only
from resolvers.applications.mutations import ApplicationPayload, application_id_of, respond
from resolvers.attachments.mutations import file_specs
from resolvers.context import Info
from resolvers.errors import run_action
from schema.application import Application, visible_application
from schema.attachment import AttachmentFileInput
from schema.common import InputArgument, UserError
from schema.enums import ApplicationStatus
from schema.node import decode_id


@strawberry.input(description="Take an application, or (as an admin) assign it to a handler.")
class ApplicationAssignInput:
    id: strawberry.ID = strawberry.field(description="The application.")
    expected_version: int = strawberry.field(description="The version you last saw.")
    handler_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The handler (a Person of the addressed authority); omit to take it yourself.",
    )


@strawberry.type(description="Result of applicationAssign.")
class ApplicationAssignPayload(ApplicationPayload):
    pass


@strawberry.input(description="Change the processing status.")
class ApplicationStatusUpdateInput:
    id: strawberry.ID = strawberry.field(description="The application.")
    expected_version: int = strawberry.field(description="The version you last saw.")
    status: ApplicationStatus = strawberry.field(
        description="The new status (final ones are given with decisionRecord)."
    )
    comment: str | None = strawberry.field(default=None, description="Comment for the history.")


@strawberry.type(description="Result of applicationStatusUpdate.")
class ApplicationStatusUpdatePayload(ApplicationPayload):
    pass


@strawberry.input(description="Ask the customer for more information.")
class SupplementRequestInput:
    id: strawberry.ID = strawberry.field(description="The application (in processing).")
    expected_version: int = strawberry.field(description="The version you last saw.")
    message: str = strawberry.field(description="What is needed.")
    due_date: date = strawberry.field(description="Answer by this day.")


@strawberry.type(description="Result of supplementRequest.")
class SupplementRequestPayload(ApplicationPayload):
    pass


@strawberry.input(description="Answer the authority's request for more information.")
class SupplementSubmitInput:
    id: strawberry.ID = strawberry.field(description="The application.")
    expected_version: int = strawberry.field(description="The version you last saw.")
    content: JSON | None = strawberry.field(
        default=None, description="The whole updated form content (checked in full)."
    )
    message: str | None = strawberry.field(default=None, description="A message to the authority.")
    attachments: list[AttachmentFileInput] | None = strawberry.field(
        default=None,
        description="Files sent with the answer (multipart request), e.g. one the authority "
        "asked for; each may name the requirement it meets.",
    )


@strawberry.type(description="Result of supplementSubmit.")
class SupplementSubmitPayload(ApplicationPayload):
    pass


@strawberry.input(description="Record the decision: the final status and its details.")
class DecisionRecordInput:
    id: strawberry.ID = strawberry.field(description="The application.")
    expected_version: int = strawberry.field(description="The version you last saw.")
    outcome: ApplicationStatus = strawberry.field(description="A final status, e.g. APPROVED.")
    decided_on: date = strawberry.field(description="Date of the decision.")
    summary: str = strawberry.field(description="Summary of the decision.")
    document_reference: str | None = strawberry.field(
        default=None, description="Reference to the decision in the authority's own system."
    )
    share_with_authorities: bool = strawberry.field(
        default=True, description="Share with the project's other involved authorities."
    )
    attachments: list[AttachmentFileInput] | None = strawberry.field(
        default=None,
        description="Files of the decision, e.g. the signed decision document (multipart "
        "request); visible to whom may see the decision.",
    )


@strawberry.type(description="Result of decisionRecord.")
class DecisionRecordPayload(ApplicationPayload):
    pass


@strawberry.input(description="Send this application's later notices to another address.")
class ApplicationNoticeRedirectInput:
    id: strawberry.ID = strawberry.field(description="The application (taken by you).")
    expected_version: int = strawberry.field(description="The version you last saw.")
    email: str | None = strawberry.field(
        default=None, description="The address; null returns to the permit's notification address."
    )


@strawberry.type(description="Result of applicationNoticeRedirect.")
class ApplicationNoticeRedirectPayload(ApplicationPayload):
    pass


@strawberry.input(description="Export an application for the authority's case management.")
class ApplicationExportInput:
    id: strawberry.ID = strawberry.field(description="The application.")


@strawberry.type(description="Result of applicationExport.")
class ApplicationExportPayload:
    document: JSON | None = strawberry.field(
        description="The whole application as one JSON document (format luukku.application.export/1)."
    )
    application: Application | None = strawberry.field(description="The application exported.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was exported.")


async def application_assign(
    info: Info, input: Annotated[ApplicationAssignInput, InputArgument]
) -> ApplicationAssignPayload:
    viewer = info.context.viewer
    return await respond(
        ApplicationAssignPayload,
        info,
        lambda: actions.application_assign(
            viewer,
            application_id_of(input.id),
            input.expected_version,
            None
            if input.handler_id is None
            else decode_id(input.handler_id, "Person", ["handlerId"]),
        ),
    )


async def application_status_update(
    info: Info, input: Annotated[ApplicationStatusUpdateInput, InputArgument]
) -> ApplicationStatusUpdatePayload:
    viewer = info.context.viewer
    return await respond(
        ApplicationStatusUpdatePayload,
        info,
        lambda: actions.application_status_update(
            viewer,
            application_id_of(input.id),
            input.expected_version,
            DomainStatus(input.status),
            input.comment,
        ),
    )


async def supplement_request(
    info: Info, input: Annotated[SupplementRequestInput, InputArgument]
) -> SupplementRequestPayload:
    viewer = info.context.viewer
    return await respond(
        SupplementRequestPayload,
        info,
        lambda: actions.supplement_request(
            viewer,
            application_id_of(input.id),
            input.expected_version,
            input.message,
            input.due_date,
        ),
    )


async def supplement_submit(
    info: Info, input: Annotated[SupplementSubmitInput, InputArgument]
) -> SupplementSubmitPayload:
    viewer = info.context.viewer
    return await respond(
        SupplementSubmitPayload,
        info,
        lambda: actions.supplement_submit(
            viewer,
            application_id_of(input.id),
            input.expected_version,
            input.content,
            input.message,
            file_specs(input.attachments),
        ),
    )


async def decision_record(
    info: Info, input: Annotated[DecisionRecordInput, InputArgument]
) -> DecisionRecordPayload:
    viewer = info.context.viewer
    return await respond(
        DecisionRecordPayload,
        info,
        lambda: actions.decision_record(
            viewer,
            application_id_of(input.id),
            input.expected_version,
            DomainStatus(input.outcome),
            input.decided_on,
            input.summary,
            input.document_reference,
            input.share_with_authorities,
            file_specs(input.attachments),
        ),
    )


async def application_notice_redirect(
    info: Info, input: Annotated[ApplicationNoticeRedirectInput, InputArgument]
) -> ApplicationNoticeRedirectPayload:
    viewer = info.context.viewer
    return await respond(
        ApplicationNoticeRedirectPayload,
        info,
        lambda: actions.application_notice_redirect(
            viewer, application_id_of(input.id), input.expected_version, input.email
        ),
    )


async def application_export(
    info: Info, input: Annotated[ApplicationExportInput, InputArgument]
) -> ApplicationExportPayload:
    viewer = info.context.viewer
    application_id = 0

    async def action() -> JSON:
        nonlocal application_id
        application_id = decode_id(input.id, "Application", ["id"])
        return JSON(await actions.application_export(viewer, application_id))

    document, errors = await run_action(info, action)
    application = await visible_application(info, application_id) if document is not None else None
    return ApplicationExportPayload(document=document, application=application, user_errors=errors)


@strawberry.type
class AuthorityMutation:
    """Mutation fields of this area: the authorities' processing (and supplements)."""

    application_assign: ApplicationAssignPayload = strawberry.mutation(
        resolver=application_assign,
        extensions=authority_only(),
        description="Take an application into processing yourself, or (admins) assign it to a handler.",
    )
    application_status_update: ApplicationStatusUpdatePayload = strawberry.mutation(
        resolver=application_status_update,
        extensions=authority_only(),
        description="Set the processing status, following the status model.",
    )
    supplement_request: SupplementRequestPayload = strawberry.mutation(
        resolver=supplement_request,
        extensions=authority_only(),
        description="Ask the customer for more information (INFORMATION_REQUESTED).",
    )
    supplement_submit: SupplementSubmitPayload = strawberry.mutation(
        resolver=supplement_submit,
        extensions=person_only(),
        description="Answer a request for more information; processing resumes (IN_PROGRESS).",
    )
    decision_record: DecisionRecordPayload = strawberry.mutation(
        resolver=decision_record,
        extensions=authority_only(),
        description="Record the decision: a final status, its date and summary.",
    )
    application_export: ApplicationExportPayload = strawberry.mutation(
        resolver=application_export,
        extensions=authority_only(),
        description="Export the whole application as JSON for case management (audited).",
    )
    application_notice_redirect: ApplicationNoticeRedirectPayload = strawberry.mutation(
        resolver=application_notice_redirect,
        extensions=authority_only(),
        description="Send the application's later notices to an address of your choice.",
    )
