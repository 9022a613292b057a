"""Query, Mutation and Subscription, and the schema with its extensions."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.schema.config import StrawberryConfig

from app.settings import get_settings
from permissions.fields import authenticated, authority_only, person_only
from resolvers.applications import mutations as application_mutations
from resolvers.applications import queries as application_queries
from resolvers.attachments import mutations as attachment_mutations
from resolvers.authority import mutations as authority_mutations
from resolvers.authority import queries as authority_queries
from resolvers.catalogue import queries as catalogue_queries
from resolvers.identity import mutations as identity_mutations
from resolvers.identity import queries as identity_queries
from resolvers.live import subscriptions as live
from resolvers.outbox import queries as outbox_queries
from resolvers.projects import mutations as project_mutations
from resolvers.projects import queries as project_queries
from resolvers.threads import mutations as thread_mutations
from schema.audit import AuditReads
from schema.checks import DocumentChecks
from schema.csrf import CsrfGuard
from schema.errors import LuukkuSchema
from schema.events import EVENT_TYPES, ApplicationStatusChangedEvent, ProjectActivityEvent
from schema.operation import FreshLoaders
from schema.scalars import SCALAR_MAP
from schema.sharing import GraphQLCoreSharingExecutionContext, SharingExecutionContext


@strawberry.type(description="Read Luukku: the public catalogue, and what the viewer may see.")
class Query:
    viewer: identity_queries.Viewer = strawberry.field(
        resolver=identity_queries.viewer, description="Who is asking, and for whom they may act."
    )
    node: relay.Node | None = strawberry.field(
        resolver=identity_queries.node,
        description="Any object by its global id; null if it does not exist or is not visible.",
    )
    service_bundles: list[catalogue_queries.ServiceBundle] = strawberry.field(
        resolver=catalogue_queries.service_bundles,
        description="The service bundles (e.g. renewable energy, public event).",
    )
    shared_data_schema: JSON = strawberry.field(
        resolver=catalogue_queries.shared_data_schema,
        description="JSON Schema (2020-12) of a project's shared data, given once for all its "
        "applications (`Project.sharedData`); its `x-label` annotations are the labels in fi, sv and en.",
    )
    municipalities: list[catalogue_queries.Municipality] = strawberry.field(
        resolver=catalogue_queries.municipalities,
        description="Municipalities Luukku knows.",
        metadata={"list_size": 400},  # for the cost limit (schema/limits.py): all of Finland
    )
    authorities: catalogue_queries.Connection[catalogue_queries.Authority] = strawberry.field(
        resolver=catalogue_queries.authorities,
        description="Authorities, optionally only those serving a municipality.",
    )
    permit_types: catalogue_queries.Connection[catalogue_queries.PermitType] = strawberry.field(
        resolver=catalogue_queries.permit_types, description="The permit catalogue."
    )
    permit_needs: catalogue_queries.PermitNeedsResult = strawberry.field(
        resolver=catalogue_queries.permit_needs_query,
        description="The permit-needs survey: which permits the answers call for, where and by when.",
    )
    projects: project_queries.Connection[project_queries.Project] = strawberry.field(
        resolver=project_queries.projects,
        extensions=authenticated(),
        description="Projects the viewer may see (own, represented, or involved as an authority), newest first.",
    )
    project: project_queries.Project | None = strawberry.field(
        resolver=project_queries.project,
        description="A project by id; null if it does not exist or is not visible.",
    )
    application: application_queries.Application | None = strawberry.field(
        resolver=application_queries.application,
        description="An application by id; null if it does not exist or is not visible.",
    )
    inbox: authority_queries.Connection[authority_queries.Application] = strawberry.field(
        resolver=authority_queries.inbox,
        extensions=authority_only(),
        description="Submitted applications addressed to the viewer's authorities (each labelled "
        "by `authority`), filtered, sorted and paginated.",
    )
    audit_log: authority_queries.Connection[authority_queries.AuditEntry] = strawberry.field(
        resolver=authority_queries.audit_log,
        extensions=authenticated(),
        description="An authority's audit log, newest first; for its admins.",
    )
    outbox_items: outbox_queries.Connection[outbox_queries.OutboxItem] = strawberry.field(
        resolver=outbox_queries.outbox_items,
        extensions=authenticated(),
        description="Notices and deliveries, newest first: an authority admin's own authority's, "
        "or all for operators.",
    )
    kept_mails: outbox_queries.Connection[outbox_queries.KeptMail] = strawberry.field(
        resolver=outbox_queries.kept_mails,
        extensions=authenticated(),
        description="Mails kept instead of sent (no SMTP server configured), newest first; operators.",
    )


@strawberry.type(
    description="Change Luukku. Every mutation takes one input and returns userErrors."
)
class Mutation:
    acting_for_select: identity_mutations.ActingForSelectPayload = strawberry.mutation(
        resolver=identity_mutations.acting_for_select,
        extensions=person_only(),
        description="Choose the organisation this browser session acts for (one of "
        "viewer.mayActFor, asked again from the mandate service), or act personally.",
    )
    project_create: project_mutations.ProjectCreatePayload = strawberry.mutation(
        resolver=project_mutations.project_create,
        extensions=person_only(),
        description="Create a project.",
    )
    project_update: project_mutations.ProjectUpdatePayload = strawberry.mutation(
        resolver=project_mutations.project_update,
        extensions=person_only(),
        description="Change a project's details or shared data.",
    )
    application_create: application_mutations.ApplicationCreatePayload = strawberry.mutation(
        resolver=application_mutations.application_create,
        extensions=person_only(),
        description="Add an application (a draft) to a project.",
    )
    application_update: application_mutations.ApplicationUpdatePayload = strawberry.mutation(
        resolver=application_mutations.application_update,
        extensions=person_only(),
        description="Save a draft's form content.",
    )
    application_share: application_mutations.ApplicationSharePayload = strawberry.mutation(
        resolver=application_mutations.application_share,
        extensions=person_only(),
        description="Show a draft to authorities, or hide it again.",
    )
    application_submit: application_mutations.ApplicationSubmitPayload = strawberry.mutation(
        resolver=application_mutations.application_submit,
        extensions=person_only(),
        description="Submit an application to its authority.",
    )
    application_withdraw: application_mutations.ApplicationWithdrawPayload = strawberry.mutation(
        resolver=application_mutations.application_withdraw,
        extensions=person_only(),
        description="Withdraw an application before it has a final status.",
    )
    application_assign: authority_mutations.ApplicationAssignPayload = strawberry.mutation(
        resolver=authority_mutations.application_assign,
        extensions=authority_only(),
        description="Take an application into processing yourself, or (admins) assign it to a handler.",
    )
    application_status_update: authority_mutations.ApplicationStatusUpdatePayload = (
        strawberry.mutation(
            resolver=authority_mutations.application_status_update,
            extensions=authority_only(),
            description="Set the processing status, following the status model.",
        )
    )
    supplement_request: authority_mutations.SupplementRequestPayload = strawberry.mutation(
        resolver=authority_mutations.supplement_request,
        extensions=authority_only(),
        description="Ask the customer for more information (INFORMATION_REQUESTED).",
    )
    supplement_submit: authority_mutations.SupplementSubmitPayload = strawberry.mutation(
        resolver=authority_mutations.supplement_submit,
        extensions=person_only(),
        description="Answer a request for more information; processing resumes (IN_PROGRESS).",
    )
    decision_record: authority_mutations.DecisionRecordPayload = strawberry.mutation(
        resolver=authority_mutations.decision_record,
        extensions=authority_only(),
        description="Record the decision: a final status, its date and summary.",
    )
    application_export: authority_mutations.ApplicationExportPayload = strawberry.mutation(
        resolver=authority_mutations.application_export,
        extensions=authority_only(),
        description="Export the whole application as JSON for case management (audited).",
    )
    application_notice_redirect: authority_mutations.ApplicationNoticeRedirectPayload = (
        strawberry.mutation(
            resolver=authority_mutations.application_notice_redirect,
            extensions=authority_only(),
            description="Send the application's later notices to an address of your choice.",
        )
    )
    attachment_add: attachment_mutations.AttachmentAddPayload = strawberry.mutation(
        resolver=attachment_mutations.attachment_add,
        extensions=person_only(),
        description="Attach files to an application draft (a multipart request); each is "
        "checked, stored, and then scanned for viruses.",
    )
    attachment_remove: attachment_mutations.AttachmentRemovePayload = strawberry.mutation(
        resolver=attachment_mutations.attachment_remove,
        extensions=person_only(),
        description="Remove a file from an application draft; the file is deleted.",
    )
    message_post: thread_mutations.MessagePostPayload = strawberry.mutation(
        resolver=thread_mutations.message_post,
        extensions=authenticated(),
        description="Post a message to a discussion thread.",
    )
    outbox_retry: outbox_queries.OutboxRetryPayload = strawberry.mutation(
        resolver=outbox_queries.outbox_retry,
        extensions=authenticated(),
        description="Queue dead notices or deliveries again (authority admins, operators).",
    )


@strawberry.type(
    description="Live tracking over graphql-transport-ws. Authenticate in connection_init: "
    '{"authorization": "Bearer <token>"}.'
)
class Subscription:
    project_activity: ProjectActivityEvent = strawberry.subscription(
        resolver=live.project_activity,
        extensions=authenticated(),
        description="Every event of one project the viewer may see: submissions, sharing, "
        "withdrawals, status changes, supplements, decisions and messages.",
    )
    application_status_changed: ApplicationStatusChangedEvent = strawberry.subscription(
        resolver=live.application_status_changed,
        extensions=authenticated(),
        description="Every status change of one application.",
    )
    inbox_activity: ProjectActivityEvent = strawberry.subscription(
        resolver=live.inbox_activity,
        extensions=authority_only(),
        description="New or returned work for the viewer's authorities: submissions, answered "
        "supplements, withdrawals and customers' messages.",
    )


def build_schema(executor: str | None = None) -> LuukkuSchema:
    """The schema; `executor` ("compiled" or "graphql-core") defaults to LUUKKU_EXECUTOR."""
    executor = executor or get_settings().executor
    return LuukkuSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=SharingExecutionContext
        if executor == "compiled"
        else GraphQLCoreSharingExecutionContext,
        types=list(EVENT_TYPES),
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=[
            FreshLoaders,
            CsrfGuard,
            # parsing, limits and validation, linear in the document and cached (checks.py);
            # codes and masking of every error are in LuukkuSchema (errors.py)
            DocumentChecks,
            AuditReads,
        ],
    )


schema = build_schema()
