"""What every field is, and which policy gates it: written once, for every channel.

Each field of each object type the API returns is *metadata* of some object (seen by whom
may see that object), *content* (form data, supplements: seen by whom may read the
application's content, confidential fields removed unless the viewer may read them), or
data of a more restricted thing (a decision, a discussion, a statement's texts, the plan,
the authority's own records). `FIELDS` says which, field by field; `TYPES` says it for the
types whose every field is of one kind (the public catalogue, the viewer's own data, and
the payloads, connections and events that only carry other objects, each of which is
checked by its own row when it is resolved).

A field that carries data of another thing follows that thing's rule. The one such field
today is `StatusChange.comment`: the status change that records a decision carries the
decision's summary as its comment, so that comment follows `can_see_decision` (it is
empty for a viewer who may not see the decision); every other comment is metadata of the
application. `status_comment_gate` and `may_read_status_comment` are that rule, and the
resolvers (so every live event, which carries the same objects), the export and the
deliveries (which carry the export) all ask it. Notices (e-mails) carry no content at all:
only the names of the permit, project, authority and municipality, a date and a link
(`NOTICE_PARAMETERS`).

tests/permissions/test_classification.py proves that every field of every object type of
the schema has a row here, and the leak tests prove the rule per channel.
"""

from __future__ import annotations

from enum import StrEnum

from models.statuses import DECISION_OUTCOMES, ApplicationStatus
from permissions import policies
from permissions.facts import ApplicationFacts, DecisionFacts, ProjectFacts, Viewer


class Gate(StrEnum):
    """The rule that decides who reads a field (the policy function, where there is one)."""

    #: anyone: the catalogue, public statistics
    PUBLIC = "public"
    #: the viewer's own identity and rights
    SELF = "self"
    #: carries other objects only (ids, times, user errors); each object decides for itself
    CARRIER = "carrier"
    PROJECT = "policies.can_see_project"
    PROJECT_EDIT = "policies.can_edit_project"
    APPLICATION = "policies.can_see_application"
    APPLICATION_EDIT = "policies.can_edit_application"
    APPLICATION_HANDLE = "policies.can_handle_application"
    CONTENT = "policies.can_read_application_content"
    #: content, with the confidential fields removed unless this policy allows
    CONFIDENTIAL = "policies.can_read_confidential_fields"
    DECISION = "policies.can_see_decision"
    #: a decision's data when the status change recorded a decision, else APPLICATION
    STATUS_COMMENT = "classification.may_read_status_comment"
    THREAD = "policies.can_read_thread"
    THREAD_POST = "policies.can_post_to_thread"
    PLAN = "policies.can_see_plan"
    STATEMENT = "policies.can_see_statement"
    STATEMENT_TEXT = "policies.can_read_statement_text"
    STATEMENT_ANSWER = "policies.can_answer_statement"
    STATEMENT_SHARE = "policies.can_share_statement"
    ADDRESSED = "policies.is_addressed_authority"
    STAFF = "policies.can_see_staff_list"
    AUDIT = "policies.can_read_audit_log"
    OUTBOX = "policies.can_see_outbox_item"
    KEPT_MAIL = "policies.can_read_kept_mails"
    ATTACHMENT = "attachments.can_see_attachment"
    ATTACHMENT_DOWNLOAD = "attachments.can_download_attachment"
    ATTACHMENT_REMOVE = "attachments.can_remove_attachment"
    PERSON_NODE = "policies.can_see_person_node"
    ORGANISATION_NODE = "policies.can_see_organisation_node"


G = Gate

#: Types all of whose fields are of one kind.
TYPES: dict[str, Gate] = {
    # the public catalogue and statistics
    **dict.fromkeys(
        (
            "AttachmentRequirement",
            "DurationFigures",
            "GeoPoint",
            "LocalizedText",
            "Municipality",
            "PermitKind",
            "PermitNeedsResult",
            "PermitSuggestion",
            "ProcessingStatistics",
            "ServiceBundle",
            "SurveyChoice",
            "SurveyQuestion",
        ),
        G.PUBLIC,
    ),
    # the viewer's own
    **dict.fromkeys(("Viewer", "Mandate", "Membership"), G.SELF),
    "UserError": G.CARRIER,
    "PageInfo": G.CARRIER,
}

#: Every other type, field by field.
FIELDS: dict[str, dict[str, Gate]] = {
    "Project": {
        **dict.fromkeys(
            (
                "id",
                "name",
                "description",
                "location",
                "area",
                "startsOn",
                "endsOn",
                "sharedData",
                "version",
                "createdAt",
                "updatedAt",
                "serviceBundle",
                "municipality",
                "owner",
                "applications",
                "viewerIsCustomer",
            ),
            G.PROJECT,
        ),
        "thread": G.THREAD,
        "plan": G.PLAN,
        "viewerCanEdit": G.PROJECT_EDIT,
    },
    "Application": {
        **dict.fromkeys(
            (
                "id",
                "status",
                "isSharedWithAuthorities",
                "origin",
                "certainty",
                "version",
                "createdAt",
                "updatedAt",
                "submittedAt",
                "processedAt",
                "statusLabel",
                "isProcessed",
                "project",
                "permitType",
                "authority",
                "assignedTo",
                "statusHistory",
                "supplementRequests",
                "viewerCanReadContent",
                "latestApplicationDate",
            ),
            G.APPLICATION,
        ),
        "content": G.CONTENT,
        "attachments": G.ATTACHMENT,
        "statementRequests": G.STATEMENT,
        "decision": G.DECISION,
        "thread": G.THREAD,
        "noticeEmail": G.ADDRESSED,
        "viewerCanEdit": G.APPLICATION_EDIT,
        "viewerCanHandle": G.APPLICATION_HANDLE,
    },
    "ApplicationContent": {
        "formData": G.CONFIDENTIAL,
        "sharedData": G.CONTENT,
        "redactedFields": G.CONTENT,
    },
    "StatusChange": {
        **dict.fromkeys(
            ("fromStatus", "toStatus", "createdAt", "actorName", "actor", "actingForName"),
            G.APPLICATION,
        ),
        "comment": G.STATUS_COMMENT,
    },
    "SupplementRequest": {
        **dict.fromkeys(
            (
                "message",
                "dueDate",
                "requestedAt",
                "requestedByName",
                "answeredAt",
                "answerMessage",
                "closedAt",
                "isOpen",
            ),
            G.APPLICATION,
        ),
        "answerContent": G.CONFIDENTIAL,
        "answerAttachments": G.ATTACHMENT,
    },
    "Decision": {
        **dict.fromkeys(
            (
                "outcome",
                "decidedOn",
                "summary",
                "documentReference",
                "isSharedWithAuthorities",
                "recordedAt",
                "recordedByName",
            ),
            G.DECISION,
        ),
        "attachments": G.ATTACHMENT,
    },
    "Thread": {
        **dict.fromkeys(("id", "project", "application", "messages"), G.THREAD),
        "viewerCanPost": G.THREAD_POST,
    },
    "Message": {
        **dict.fromkeys(
            ("id", "body", "createdAt", "authorName", "author", "actingForName"), G.THREAD
        ),
        "attachments": G.ATTACHMENT,
    },
    "StatementRequest": {
        **dict.fromkeys(
            (
                "id",
                "status",
                "dueDate",
                "requestedAt",
                "requestedByName",
                "answeredAt",
                "answeredByName",
                "isSharedWithCustomer",
                "isOverdue",
                "viewerCanReadTexts",
                "application",
                "requestingAuthority",
                "askedAuthority",
            ),
            G.STATEMENT,
        ),
        **dict.fromkeys(("question", "answer", "declineReason"), G.STATEMENT_TEXT),
        "viewerCanAnswer": G.STATEMENT_ANSWER,
        "viewerCanShare": G.STATEMENT_SHARE,
    },
    "Attachment": {
        **dict.fromkeys(
            (
                "id",
                "name",
                "contentType",
                "size",
                "sha256",
                "kind",
                "belongsTo",
                "scanStatus",
                "uploadedAt",
                "uploadedByName",
                "viewerCanDownload",
                "application",
            ),
            G.ATTACHMENT,
        ),
        "downloadUrl": G.ATTACHMENT_DOWNLOAD,
        "viewerCanRemove": G.ATTACHMENT_REMOVE,
    },
    "ProjectPlan": dict.fromkeys(
        (
            "startsOn",
            "computedOn",
            "expectedReadyOn",
            "isStartAtRisk",
            "entries",
            "warnings",
            "criticalPath",
        ),
        G.PLAN,
    ),
    "PlanEntry": dict.fromkeys(
        (
            "latestApplicationDate",
            "recommendedApplicationDate",
            "expectedDecisionDate",
            "expectedProcessingDays",
            "basis",
            "decisionNeededBy",
            "slackDays",
            "isCritical",
            "warnings",
            "application",
            "requires",
        ),
        G.PLAN,
    ),
    "PlanWarning": dict.fromkeys(("code", "message", "date", "neededBy", "application"), G.PLAN),
    "Authority": {
        **dict.fromkeys(("id", "code", "name", "businessId", "scope", "municipalities"), G.PUBLIC),
        "handlers": G.STAFF,
    },
    "PermitType": dict.fromkeys(
        (
            "id",
            "code",
            "name",
            "description",
            "channel",
            "notificationEmail",
            "processingDays",
            "leadTimeDays",
            "legalBasis",
            "ptvServiceId",
            "formSchema",
            "requiredSharedData",
            "serviceBundleCodes",
            "attachmentTypes",
            "confidentialFields",
            "attachmentRequirements",
            "deepLink",
            "processingStatistics",
            "kind",
            "authority",
        ),
        G.PUBLIC,
    ),
    # people and organisations: names are metadata of what names them; as nodes, own only
    "Person": dict.fromkeys(("id", "name"), G.PERSON_NODE),
    "Organisation": dict.fromkeys(("id", "kind", "name", "businessId"), G.ORGANISATION_NODE),
    "AuditEntry": dict.fromkeys(
        (
            "action",
            "objectId",
            "createdAt",
            "actorName",
            "xroadClient",
            "xroadId",
            "xroadUserId",
            "details",
            "actor",
            "actingForName",
        ),
        G.AUDIT,
    ),
    "OutboxItem": {
        **dict.fromkeys(
            (
                "id",
                "kind",
                "topic",
                "status",
                "eventId",
                "attempts",
                "lastError",
                "nextAttemptAt",
                "createdAt",
                "deliveredAt",
                "recipient",
            ),
            G.OUTBOX,
        ),
        # the application it is about, only as the application's own rule allows
        "application": G.APPLICATION,
    },
    "KeptMail": dict.fromkeys(("to", "subject", "text", "html", "language", "keptAt"), G.KEPT_MAIL),
}

#: What a notice (an e-mail) may carry: names and a link, never content, a comment, a
#: decision's outcome or summary, a message's or a statement's text.
NOTICE_PARAMETERS = frozenset(
    {"permit", "project", "authority", "municipality", "link", "due", "file"}
)


def gate_of(type_name: str, field: str) -> Gate | None:
    """The rule of one field of one object type (None: not classified, a bug)."""
    if type_name in TYPES:
        return TYPES[type_name]
    if type_name.endswith(("Connection", "Edge", "Payload", "Event")):
        return G.CARRIER
    return FIELDS.get(type_name, {}).get(field)


def status_comment_gate(to_status: ApplicationStatus | str) -> Gate:
    """A status change into a decision's outcome was made by recording the decision, and
    its comment is the decision's summary: it follows the decision's rule."""
    return G.DECISION if ApplicationStatus(to_status) in DECISION_OUTCOMES else G.APPLICATION


def may_read_status_comment(
    viewer: Viewer,
    to_status: ApplicationStatus | str,
    decision: DecisionFacts | None,
    app: ApplicationFacts,
    project: ProjectFacts,
) -> bool:
    """Whether the viewer reads the comment of a status change of the application."""
    if status_comment_gate(to_status) is G.DECISION:
        # a decision outcome without a decision row does not happen; hide it if it did
        return decision is not None and policies.can_see_decision(viewer, decision, app, project)
    return policies.can_see_application(viewer, app, project)


def delivery_recipient(authority_id: int) -> Viewer:
    """Whom a delivery (the export sent to an authority's system) is read by: that
    authority's system, as the policies see it."""
    return Viewer(system_authority_id=authority_id, name="delivery")
