"""THE permission matrix: who may read which field and run which mutation, in which state.

Written by hand from DOMAIN.md ("Who sees what") and the authorities issue, independently
of permissions/policies.py, which it checks. test_matrix.py runs every row as generated
cases against the real API; test_matrix_covers_the_schema fails when a field of Project,
Application, ApplicationContent, StatusChange, SupplementRequest, Thread, Message or
Decision, or any mutation, has no row here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.permissions.world import Role, State

R, ST = Role, State
OWN, CR, UNR = R.OWNER_REP, R.CO_REP, R.UNRELATED_CUSTOMER
AH, CAH, UNI, SYS, ANON = (
    R.ADDRESSED_HANDLER,
    R.CO_AUTHORITY_HANDLER,
    R.UNINVOLVED_HANDLER,
    R.ADDRESSED_SYSTEM,
    R.ANONYMOUS,
)

# --- who sees what, per state -------------------------------------------------------------
# project:    the project and the metadata of its applications (status, history, ...)
# content:    application content (form data, supplements' content) and A's discussion
# decision:   A's decision (exists in FINAL states only)
# addressed:  data internal to the addressed authority (where it redirects notices)
# customer:   flags that are true for the customer only
# handling:   viewerCanHandle: the addressed authority, once submitted
# posting:    viewerCanPost on A's thread
SEES: dict[str, dict[State, frozenset[Role]]] = {
    "project": {
        ST.DRAFT: frozenset({OWN, CR, CAH}),
        ST.SHARED_DRAFT: frozenset({OWN, CR, CAH, AH, SYS}),
        ST.SUBMITTED: frozenset({OWN, CR, CAH, AH, SYS}),
        ST.IN_PROGRESS: frozenset({OWN, CR, CAH, AH, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({OWN, CR, CAH, AH, SYS}),
        ST.FINAL: frozenset({OWN, CR, CAH, AH, SYS}),
        ST.FINAL_SHARED: frozenset({OWN, CR, CAH, AH, SYS}),
    },
    "content": {
        ST.DRAFT: frozenset({OWN, CR}),
        ST.SHARED_DRAFT: frozenset({OWN, CR, CAH, AH, SYS}),
        ST.SUBMITTED: frozenset({OWN, CR, CAH, AH, SYS}),
        ST.IN_PROGRESS: frozenset({OWN, CR, CAH, AH, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({OWN, CR, CAH, AH, SYS}),
        ST.FINAL: frozenset({OWN, CR, CAH, AH, SYS}),
        ST.FINAL_SHARED: frozenset({OWN, CR, CAH, AH, SYS}),
    },
    "decision": {
        ST.DRAFT: frozenset({OWN, CR}),
        ST.SHARED_DRAFT: frozenset({OWN, CR, AH, SYS}),
        ST.SUBMITTED: frozenset({OWN, CR, AH, SYS}),
        ST.IN_PROGRESS: frozenset({OWN, CR, AH, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({OWN, CR, AH, SYS}),
        ST.FINAL: frozenset({OWN, CR, AH, SYS}),
        ST.FINAL_SHARED: frozenset({OWN, CR, AH, SYS, CAH}),
    },
    "addressed": {
        ST.DRAFT: frozenset(),
        ST.SHARED_DRAFT: frozenset({AH, SYS}),
        ST.SUBMITTED: frozenset({AH, SYS}),
        ST.IN_PROGRESS: frozenset({AH, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({AH, SYS}),
        ST.FINAL: frozenset({AH, SYS}),
        ST.FINAL_SHARED: frozenset({AH, SYS}),
    },
    "customer": {s: frozenset({OWN, CR}) for s in State},
    "handling": {
        ST.DRAFT: frozenset(),
        ST.SHARED_DRAFT: frozenset(),
        ST.SUBMITTED: frozenset({AH, SYS}),
        ST.IN_PROGRESS: frozenset({AH, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({AH, SYS}),
        ST.FINAL: frozenset({AH, SYS}),
        ST.FINAL_SHARED: frozenset({AH, SYS}),
    },
    # viewerCanRemove on A's own file: the customer, while A is a draft
    "removing": {
        s: frozenset({OWN, CR}) if s in (ST.DRAFT, ST.SHARED_DRAFT) else frozenset() for s in State
    },
    "posting": {
        ST.DRAFT: frozenset({OWN, CR}),
        ST.SHARED_DRAFT: frozenset({OWN, CR, AH, SYS}),
        ST.SUBMITTED: frozenset({OWN, CR, AH, SYS}),
        ST.IN_PROGRESS: frozenset({OWN, CR, AH, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({OWN, CR, AH, SYS}),
        ST.FINAL: frozenset({OWN, CR, AH, SYS}),
        ST.FINAL_SHARED: frozenset({OWN, CR, AH, SYS}),
    },
}

# --- in which states a field has a value at all (in the world of world.py) -------------------
ALL = frozenset(State)
SUBMITTED = ALL - {ST.DRAFT, ST.SHARED_DRAFT}
FINALS = frozenset({ST.FINAL, ST.FINAL_SHARED})
SUPPLEMENTED = frozenset({ST.INFORMATION_REQUESTED, ST.FINAL, ST.FINAL_SHARED})
NEVER = frozenset[State]()


@dataclass(frozen=True)
class Row:
    """`sees` says who may read the field; `present` when it has a value; a `flag` field is a
    Boolean that is readable per `sees` and true exactly for the roles of SEES[flag]."""

    sees: str
    present: frozenset[State] = ALL
    selection: str = ""
    flag: str | None = None


def flag(sees: str, true_for: str) -> Row:
    return Row(sees, ALL, "", true_for)


FIELDS: dict[str, dict[str, Row]] = {
    "Project": {
        "id": Row("project"),
        "name": Row("project"),
        "description": Row("project"),
        "location": Row("project", selection="{ latitude }"),
        "area": Row("project"),
        "startsOn": Row("project"),
        "endsOn": Row("project"),
        "sharedData": Row("project"),
        "version": Row("project"),
        "createdAt": Row("project"),
        "updatedAt": Row("project"),
        "serviceBundle": Row("project", selection="{ code }"),
        "municipality": Row("project", selection="{ code }"),
        "owner": Row("project", selection="{ __typename }"),
        "applications": Row("project", selection="{ totalCount }"),
        "thread": Row("project", selection="{ id }"),
        "viewerIsCustomer": flag("project", "customer"),
        "viewerCanEdit": flag("project", "customer"),
    },
    "Application": {
        "id": Row("project"),
        "status": Row("project"),
        "isSharedWithAuthorities": Row("project"),
        "origin": Row("project"),
        "certainty": Row("project"),
        "version": Row("project"),
        "createdAt": Row("project"),
        "updatedAt": Row("project"),
        "submittedAt": Row("project", SUBMITTED),
        "processedAt": Row("project", FINALS),
        "statusLabel": Row("project", selection="{ fi }"),
        "isProcessed": Row("project"),
        "project": Row("project", selection="{ id }"),
        "permitType": Row("project", selection="{ code }"),
        "authority": Row("project", selection="{ code }"),
        "assignedTo": Row("project", SUBMITTED, "{ name }"),
        "statusHistory": Row("project", selection="{ totalCount }"),
        "content": Row("content", selection="{ formData }"),
        "attachments": Row("content", selection="{ id }"),
        "supplementRequests": Row("project", SUPPLEMENTED, "{ message }"),
        "decision": Row("decision", FINALS, "{ outcome }"),
        "thread": Row("content", selection="{ id }"),
        "noticeEmail": Row("addressed", SUBMITTED),
        "latestApplicationDate": Row("project"),
        "viewerCanReadContent": flag("project", "content"),
        "viewerCanEdit": flag("project", "customer"),
        "viewerCanHandle": flag("project", "handling"),
    },
    "ApplicationContent": {
        "formData": Row("content"),
        "sharedData": Row("content"),
    },
    "StatusChange": {  # the latest entry of A's history
        "fromStatus": Row("project", SUBMITTED),
        "toStatus": Row("project"),
        "comment": Row("project"),
        "createdAt": Row("project"),
        "actorName": Row("project"),
        "actor": Row("project", selection="{ name }"),
        "actingForName": Row("project", selection="{ fi }"),
    },
    "SupplementRequest": {  # A's first supplement request
        "message": Row("project", SUPPLEMENTED),
        "dueDate": Row("project", SUPPLEMENTED),
        "requestedAt": Row("project", SUPPLEMENTED),
        "requestedByName": Row("project", SUPPLEMENTED),
        "isOpen": Row("project", SUPPLEMENTED),
        "answeredAt": Row("project", FINALS),
        "answerMessage": Row("project", FINALS),
        "closedAt": Row("project", NEVER),
        "answerContent": Row("content", FINALS),
        "answerAttachments": Row("content", FINALS, "{ id }"),
    },
    "Decision": {
        "outcome": Row("decision", FINALS),
        "decidedOn": Row("decision", FINALS),
        "summary": Row("decision", FINALS),
        "documentReference": Row("decision", FINALS),
        "isSharedWithAuthorities": Row("decision", FINALS),
        "recordedAt": Row("decision", FINALS),
        "recordedByName": Row("decision", FINALS),
        "attachments": Row("decision", FINALS, "{ id }"),
    },
    "Thread": {  # A's discussion
        "id": Row("content"),
        "project": Row("content", selection="{ id }"),
        "application": Row("content", selection="{ id }"),
        "messages": Row("content", selection="{ totalCount }"),
        "viewerCanPost": flag("content", "posting"),
    },
    "Message": {  # the customer's first message on A's thread
        "id": Row("content"),
        "body": Row("content"),
        "createdAt": Row("content"),
        "authorName": Row("content"),
        "author": Row("content", selection="{ name }"),
        "actingForName": Row("content", selection="{ fi }"),
        "attachments": Row("content", selection="{ id }"),
    },
    "Attachment": {  # A's own file (added to the draft; no scanner: NOT_SCANNED)
        "id": Row("content"),
        "name": Row("content"),
        "contentType": Row("content"),
        "size": Row("content"),
        "sha256": Row("content"),
        "kind": Row("content", NEVER),
        "belongsTo": Row("content"),
        "scanStatus": Row("content"),
        "uploadedAt": Row("content"),
        "uploadedByName": Row("content"),
        "downloadUrl": Row("content"),
        "application": Row("content", selection="{ id }"),
        "viewerCanDownload": flag("content", "content"),
        "viewerCanRemove": flag("content", "removing"),
    },
}

# --- the download route: who gets each file (GET /attachments/<id> with a bearer token) -------
DOWNLOADS: dict[str, tuple[str, frozenset[State]]] = {
    "application": ("content", ALL),
    "message": ("content", ALL),
    "answer": ("content", FINALS),
    "decision": ("decision", FINALS),
}

# --- mutations: who is allowed, per state -------------------------------------------------
# Allowed means the permission checks pass (the status model may still refuse the change,
# e.g. INVALID_STATUS_TRANSITION); denied means NOT_FOUND, FORBIDDEN, WRONG_AUTHORITY,
# NOT_SUBMITTED or a top-level UNAUTHENTICATED/FORBIDDEN, and nothing written.
PERSONS = frozenset({OWN, CR, UNR, AH, CAH, UNI})
CUSTOMER = frozenset({OWN, CR})
AUTHORITY = frozenset({AH, SYS})
NOBODY = frozenset[Role]()


def everywhere(roles: frozenset[Role]) -> dict[State, frozenset[Role]]:
    return {s: roles for s in State}


def once_submitted(roles: frozenset[Role]) -> dict[State, frozenset[Role]]:
    return {s: roles if s in SUBMITTED else NOBODY for s in State}


MUTATIONS: dict[str, dict[State, frozenset[Role]]] = {
    "actingForSelect": everywhere(NOBODY),
    "projectCreate": everywhere(PERSONS),
    "projectUpdate": everywhere(CUSTOMER),
    "applicationCreate": everywhere(CUSTOMER),
    "applicationUpdate": everywhere(CUSTOMER),
    "applicationShare": everywhere(CUSTOMER),
    "applicationSubmit": everywhere(CUSTOMER),
    "applicationWithdraw": everywhere(CUSTOMER),
    "supplementSubmit": everywhere(CUSTOMER),
    "applicationAssign": once_submitted(frozenset({AH})),
    "applicationStatusUpdate": once_submitted(AUTHORITY),
    "supplementRequest": once_submitted(AUTHORITY),
    "decisionRecord": once_submitted(AUTHORITY),
    "applicationExport": once_submitted(AUTHORITY),
    "applicationNoticeRedirect": once_submitted(frozenset({AH})),
    # the outbox is for authority admins and operators; none of the matrix roles is one
    "outboxRetry": everywhere(NOBODY),
    # files of the draft: the customer (a submitted application refuses by its status)
    "attachmentAdd": everywhere(CUSTOMER),
    "attachmentRemove": everywhere(CUSTOMER),
    "messagePost": {
        ST.DRAFT: CUSTOMER,
        ST.SHARED_DRAFT: CUSTOMER | AUTHORITY,
        ST.SUBMITTED: CUSTOMER | AUTHORITY,
        ST.IN_PROGRESS: CUSTOMER | AUTHORITY,
        ST.INFORMATION_REQUESTED: CUSTOMER | AUTHORITY,
        ST.FINAL: CUSTOMER | AUTHORITY,
        ST.FINAL_SHARED: CUSTOMER | AUTHORITY,
    },
}

# --- subscriptions: who receives the event, per state ----------------------------------------
# Each row is a subscription and the change that triggers an event in the world of the state;
# the roles listed receive it, no one else does (not even a hint). See test_subscription_matrix.
AFTER_A_CHANGE = frozenset({OWN, CR, CAH, AH, SYS})
SUBSCRIPTIONS: dict[str, dict[State, frozenset[Role]]] = {
    # the customer posts on the project's discussion
    "projectActivity/project-message": dict(SEES["project"]),
    # the customer posts on A's discussion
    "projectActivity/application-message": dict(SEES["content"]),
    # A's next status change: submit (drafts), start, ask, answer; nothing once final
    "applicationStatusChanged/next-status": {
        ST.DRAFT: AFTER_A_CHANGE,
        ST.SHARED_DRAFT: AFTER_A_CHANGE,
        ST.SUBMITTED: AFTER_A_CHANGE,
        ST.IN_PROGRESS: AFTER_A_CHANGE,
        ST.INFORMATION_REQUESTED: AFTER_A_CHANGE,
        ST.FINAL: NOBODY,
        ST.FINAL_SHARED: NOBODY,
    },
    # new or returned work for A's authority: the submission, or the customer's message/answer
    "inboxActivity/new-work": everywhere(AUTHORITY),
}
