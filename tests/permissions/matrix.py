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
AH, CAH, UNI, SYS, ASK, ADM, OPR, ANON = (
    R.ADDRESSED_HANDLER,
    R.CO_AUTHORITY_HANDLER,
    R.UNINVOLVED_HANDLER,
    R.ADDRESSED_SYSTEM,
    R.ASKED_HANDLER,
    R.ADMIN,
    R.OPERATOR,
    R.ANONYMOUS,
)

FINALS = frozenset({ST.FINAL, ST.FINAL_SHARED})

# --- who sees what, per state -------------------------------------------------------------
# project:    the project and the metadata of its applications (status, history, ...); the
#             authority asked for a statement on A sees them once asked
# content:    application content (form data, supplements' content); the asked authority
#             while its request is open
# discussion: A's discussion (the customer and the involved authorities)
# project_discussion: the project's discussion
# confidential: A's confidential form fields (the customer and the handling authority)
# statement:  the statement request on A (that it was asked, of whom, when it came)
# statement_text: its question and answer (the two authorities; all once shared)
# decision:   A's decision (exists in FINAL states only)
# addressed:  data internal to the addressed authority (where it redirects notices)
# customer:   flags that are true for the customer only
# handling:   viewerCanHandle: the addressed authority, once submitted
# posting:    viewerCanPost on A's thread
# plan:       the project's permit plan
SEES: dict[str, dict[State, frozenset[Role]]] = {
    "project": {
        ST.DRAFT: frozenset({OWN, CR, CAH}),
        ST.SHARED_DRAFT: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.SUBMITTED: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}),
        ST.IN_PROGRESS: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}),
        ST.INFORMATION_REQUESTED: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}),
        ST.FINAL: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}),
        ST.FINAL_SHARED: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}),
    },
    "content": {
        ST.DRAFT: frozenset({OWN, CR}),
        ST.SHARED_DRAFT: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.SUBMITTED: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}),
        ST.IN_PROGRESS: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}),
        ST.INFORMATION_REQUESTED: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}),
        ST.FINAL: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.FINAL_SHARED: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
    },
    "discussion": {
        ST.DRAFT: frozenset({OWN, CR}),
        ST.SHARED_DRAFT: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.SUBMITTED: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.IN_PROGRESS: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.FINAL: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.FINAL_SHARED: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
    },
    "project_discussion": {
        ST.DRAFT: frozenset({OWN, CR, CAH}),
        ST.SHARED_DRAFT: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.SUBMITTED: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.IN_PROGRESS: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.FINAL: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.FINAL_SHARED: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
    },
    "confidential": {
        ST.DRAFT: frozenset({OWN, CR}),
        **{s: frozenset({OWN, CR, AH, ADM, SYS}) for s in State if s is not ST.DRAFT},
    },
    "statement": {
        s: frozenset()
        if s in (ST.DRAFT, ST.SHARED_DRAFT)
        else frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK})
        for s in State
    },
    "statement_text": {
        ST.DRAFT: frozenset(),
        ST.SHARED_DRAFT: frozenset(),
        ST.SUBMITTED: frozenset({AH, ADM, SYS, ASK}),
        ST.IN_PROGRESS: frozenset({AH, ADM, SYS, ASK}),
        ST.INFORMATION_REQUESTED: frozenset({AH, ADM, SYS, ASK}),
        ST.FINAL: frozenset({AH, ADM, SYS, ASK}),
        ST.FINAL_SHARED: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}),
    },
    # viewerCanAnswer: the asked authority while the request is open
    "statement_answering": {
        s: frozenset({ASK})
        if s in (ST.SUBMITTED, ST.IN_PROGRESS, ST.INFORMATION_REQUESTED)
        else frozenset()
        for s in State
    },
    # viewerCanShare: the handling authority
    "statement_sharing": {
        s: frozenset() if s in (ST.DRAFT, ST.SHARED_DRAFT) else frozenset({AH, ADM, SYS})
        for s in State
    },
    "nobody": {s: frozenset() for s in State},
    # isSharedWithCustomer is true in FINAL_SHARED only
    "shared_statement": {
        s: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}) if s is ST.FINAL_SHARED else frozenset()
        for s in State
    },
    "decision": {
        ST.DRAFT: frozenset({OWN, CR}),
        ST.SHARED_DRAFT: frozenset({OWN, CR, AH, ADM, SYS}),
        ST.SUBMITTED: frozenset({OWN, CR, AH, ADM, SYS}),
        ST.IN_PROGRESS: frozenset({OWN, CR, AH, ADM, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({OWN, CR, AH, ADM, SYS}),
        ST.FINAL: frozenset({OWN, CR, AH, ADM, SYS}),
        ST.FINAL_SHARED: frozenset({OWN, CR, AH, ADM, SYS, CAH}),
    },
    "addressed": {
        ST.DRAFT: frozenset(),
        ST.SHARED_DRAFT: frozenset({AH, ADM, SYS}),
        ST.SUBMITTED: frozenset({AH, ADM, SYS}),
        ST.IN_PROGRESS: frozenset({AH, ADM, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({AH, ADM, SYS}),
        ST.FINAL: frozenset({AH, ADM, SYS}),
        ST.FINAL_SHARED: frozenset({AH, ADM, SYS}),
    },
    "customer": {s: frozenset({OWN, CR}) for s in State},
    # the permit plan: the customer and the involved authorities
    "plan": {
        ST.DRAFT: frozenset({OWN, CR, CAH}),
        ST.SHARED_DRAFT: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.SUBMITTED: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.IN_PROGRESS: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.FINAL: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.FINAL_SHARED: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
    },
    "handling": {
        ST.DRAFT: frozenset(),
        ST.SHARED_DRAFT: frozenset(),
        ST.SUBMITTED: frozenset({AH, ADM, SYS}),
        ST.IN_PROGRESS: frozenset({AH, ADM, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({AH, ADM, SYS}),
        ST.FINAL: frozenset({AH, ADM, SYS}),
        ST.FINAL_SHARED: frozenset({AH, ADM, SYS}),
    },
    # viewerCanRemove on A's own file: the customer, while A is a draft
    "removing": {
        s: frozenset({OWN, CR}) if s in (ST.DRAFT, ST.SHARED_DRAFT) else frozenset() for s in State
    },
    # the comment of A's latest status change: the project's readers, except that the final
    # change's comment is the decision's summary, so it follows the decision (issue 10)
    "last_comment": {
        ST.DRAFT: frozenset({OWN, CR, CAH}),
        ST.SHARED_DRAFT: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
        ST.SUBMITTED: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}),
        ST.IN_PROGRESS: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}),
        ST.INFORMATION_REQUESTED: frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK}),
        ST.FINAL: frozenset({OWN, CR, AH, ADM, SYS}),
        ST.FINAL_SHARED: frozenset({OWN, CR, CAH, AH, ADM, SYS}),
    },
    "posting": {
        ST.DRAFT: frozenset({OWN, CR}),
        ST.SHARED_DRAFT: frozenset({OWN, CR, AH, ADM, SYS}),
        ST.SUBMITTED: frozenset({OWN, CR, AH, ADM, SYS}),
        ST.IN_PROGRESS: frozenset({OWN, CR, AH, ADM, SYS}),
        ST.INFORMATION_REQUESTED: frozenset({OWN, CR, AH, ADM, SYS}),
        ST.FINAL: frozenset({OWN, CR, AH, ADM, SYS}),
        ST.FINAL_SHARED: frozenset({OWN, CR, AH, ADM, SYS}),
    },
}

# --- in which states a field has a value at all (in the world of world.py) -------------------
ALL = frozenset(State)
SUBMITTED = ALL - {ST.DRAFT, ST.SHARED_DRAFT}
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
    #: the list of confidential fields removed for the viewer: [] for those who see them
    confidential: bool = False
    #: what a viewer who reads the object but not this non-null field gets, if not null
    hidden: str | None = None


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
        "thread": Row("project_discussion", selection="{ id }"),
        "plan": Row("plan", selection="{ computedOn }"),
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
        "thread": Row("discussion", selection="{ id }"),
        "noticeEmail": Row("addressed", SUBMITTED),
        "statementRequests": Row("statement", SUBMITTED, "{ status }"),
        "latestApplicationDate": Row("project"),
        "viewerCanReadContent": flag("project", "content"),
        "viewerCanEdit": flag("project", "customer"),
        "viewerCanHandle": flag("project", "handling"),
    },
    "ApplicationContent": {  # formData's confidential field: see test_matrix.CONFIDENTIAL
        "formData": Row("content"),
        "sharedData": Row("content"),
        "redactedFields": Row("content", confidential=True),
    },
    "StatusChange": {  # the latest entry of A's history
        "fromStatus": Row("project", SUBMITTED),
        "toStatus": Row("project"),
        # String!: "" for a viewer who reads the change but not the decision's summary
        "comment": Row("last_comment", hidden=""),
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
        "id": Row("discussion"),
        "project": Row("discussion", selection="{ id }"),
        "application": Row("discussion", selection="{ id }"),
        "messages": Row("discussion", selection="{ totalCount }"),
        "viewerCanPost": flag("discussion", "posting"),
    },
    "Message": {  # the customer's first message on A's thread
        "id": Row("discussion"),
        "body": Row("discussion"),
        "createdAt": Row("discussion"),
        "authorName": Row("discussion"),
        "author": Row("discussion", selection="{ name }"),
        "actingForName": Row("discussion", selection="{ fi }"),
        "attachments": Row("discussion", selection="{ id }"),
    },
    "StatementRequest": {  # the police's request to the building control on A
        "id": Row("statement", SUBMITTED),
        "status": Row("statement", SUBMITTED),
        "dueDate": Row("statement", SUBMITTED),
        "requestedAt": Row("statement", SUBMITTED),
        "requestedByName": Row("statement", SUBMITTED),
        "answeredAt": Row("statement", FINALS),
        "answeredByName": Row("statement", FINALS),
        "isSharedWithCustomer": flag("statement", "shared_statement"),
        "question": Row("statement_text", SUBMITTED),
        "answer": Row("statement_text", FINALS),
        "declineReason": Row("statement_text", NEVER),
        "isOverdue": flag("statement", "nobody"),
        "viewerCanReadTexts": flag("statement", "statement_text"),
        "viewerCanAnswer": flag("statement", "statement_answering"),
        "viewerCanShare": flag("statement", "statement_sharing"),
        "application": Row("statement", SUBMITTED, "{ id }"),
        "requestingAuthority": Row("statement", SUBMITTED, "{ code }"),
        "askedAuthority": Row("statement", SUBMITTED, "{ code }"),
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
    "message": ("discussion", ALL),
    "answer": ("content", FINALS),
    "decision": ("decision", FINALS),
}

# --- mutations: who is allowed, per state -------------------------------------------------
# Allowed means the permission checks pass (the status model may still refuse the change,
# e.g. INVALID_STATUS_TRANSITION); denied means NOT_FOUND, FORBIDDEN, WRONG_AUTHORITY,
# NOT_SUBMITTED or a top-level UNAUTHENTICATED/FORBIDDEN, and nothing written.
PERSONS = frozenset({OWN, CR, UNR, AH, CAH, UNI, ASK, ADM, OPR})
CUSTOMER = frozenset({OWN, CR})
AUTHORITY = frozenset({AH, ADM, SYS})
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
    "applicationAssign": once_submitted(frozenset({AH, ADM})),
    "applicationStatusUpdate": once_submitted(AUTHORITY),
    "supplementRequest": once_submitted(AUTHORITY),
    "decisionRecord": once_submitted(AUTHORITY),
    "applicationExport": once_submitted(AUTHORITY),
    "applicationNoticeRedirect": once_submitted(frozenset({AH, ADM})),
    "statementRequest": once_submitted(AUTHORITY),
    "statementAnswer": once_submitted(frozenset({ASK})),
    "statementDecline": once_submitted(frozenset({ASK})),
    "statementShare": once_submitted(AUTHORITY),
    # the outbox is for authority admins and operators
    "outboxRetry": everywhere(frozenset({ADM, OPR})),
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

#: what an allowed change tells A's addressed authority: the mutation -> its notice's outbox
#: topics (a mail, or a delivery to the authority's system) and the states in which it is told
#: (policies.authority_may_be_told_of_withdrawal: once it had A submitted; a shared draft's
#: authority only looked at it)
TOLD: dict[str, tuple[tuple[str, ...], frozenset[State]]] = {
    "applicationWithdraw": (("authority.withdrawn", "application.withdrawn"), SUBMITTED),
}

# --- denial is exact ---------------------------------------------------------------------------
# How a role outside MUTATIONS is refused. ANONYMOUS: a top-level UNAUTHENTICATED. A role the
# operation's own gate excludes (a person-only mutation for a system token, an authority
# mutation for a customer or the operator, the outbox for all but admins and operators): a
# top-level FORBIDDEN. A role that does not see the object the mutation names: NOT_FOUND, never
# a hint that it exists. A role that sees the object but lacks the right: REFUSED, i.e.
# FORBIDDEN or one of its specific forms WRONG_AUTHORITY (another authority's application)
# and NOT_SUBMITTED (not submitted yet).
REFUSED = frozenset({"FORBIDDEN", "WRONG_AUTHORITY", "NOT_SUBMITTED"})
AUTHORITY_USERS = frozenset({AH, CAH, UNI, SYS, ASK, ADM})
OUTBOX_USERS = frozenset({ADM, OPR})


@dataclass(frozen=True)
class Gate:
    #: who passes the operation's own gate: "signed-in", "person", "authority" or "outbox"
    who: str
    #: the SEES class of the object the mutation names (None: it names none)
    target: str | None
    #: the codes for a role that sees the target but may not do it
    refused: frozenset[str] = REFUSED


GATES: dict[str, Gate] = {
    "actingForSelect": Gate("person", None, frozenset({"NOT_A_SESSION"})),
    "projectCreate": Gate("person", None),
    "projectUpdate": Gate("person", "project"),
    "applicationCreate": Gate("person", "project"),
    "applicationUpdate": Gate("person", "project"),
    "applicationShare": Gate("person", "project"),
    "applicationSubmit": Gate("person", "project"),
    "applicationWithdraw": Gate("person", "project"),
    "supplementSubmit": Gate("person", "project"),
    "applicationAssign": Gate("authority", "project"),
    "applicationStatusUpdate": Gate("authority", "project"),
    "supplementRequest": Gate("authority", "project"),
    "decisionRecord": Gate("authority", "project"),
    "applicationExport": Gate("authority", "project"),
    "applicationNoticeRedirect": Gate("authority", "project"),
    "statementRequest": Gate("authority", "project"),
    "statementAnswer": Gate("authority", "statement"),
    "statementDecline": Gate("authority", "statement"),
    "statementShare": Gate("authority", "statement"),
    "outboxRetry": Gate("outbox", None),
    # attachmentAdd names the application; attachmentRemove the file (content)
    "attachmentAdd": Gate("person", "project"),
    "attachmentRemove": Gate("person", "content"),
    "messagePost": Gate("signed-in", "discussion"),
}


def denial(mutation: str, state: State, role: Role) -> frozenset[str]:
    """The codes a role outside MUTATIONS[mutation][state] may get ("top-level X" for an
    error of the whole operation, else the userErrors code)."""
    gate = GATES[mutation]
    if role is ANON:
        return frozenset({"top-level UNAUTHENTICATED"})
    excluded = {
        "signed-in": False,
        "person": role is SYS,
        "authority": role not in AUTHORITY_USERS,
        "outbox": role not in OUTBOX_USERS,
    }[gate.who]
    if excluded:
        return frozenset({"top-level FORBIDDEN"})
    if gate.target is not None and role not in SEES[gate.target][state]:
        return frozenset({"NOT_FOUND"})
    return gate.refused


# Known bugs: the matrix says what is right; a case listed here is marked xfail(strict) until
# the code is fixed (none now: the NOT_FOUND-for-a-visible-object answers of projectUpdate,
# applicationCreate and attachmentAdd, and the decision summary's leak through the status
# history's comment, are fixed).
EXACTNESS = "bug: NOT_FOUND for an object the viewer sees (should be FORBIDDEN)"
MUTATION_BUGS: dict[tuple[str, State], str] = {}
LEAK = "bug: decision summary leaks via statusHistory comment"
#: (state, role) of test_who_reads_which_field
READ_BUGS: dict[tuple[State, Role], str] = {}

# --- subscriptions: who receives the event, per state ----------------------------------------
# Each row is a subscription and the change that triggers an event in the world of the state;
# the roles listed receive it, no one else does (not even a hint). See test_subscription_matrix.
AFTER_A_CHANGE = frozenset({OWN, CR, CAH, AH, ADM, SYS})
OPEN_STATES = (ST.SUBMITTED, ST.IN_PROGRESS, ST.INFORMATION_REQUESTED)
SEE_A = frozenset({OWN, CR, CAH, AH, ADM, SYS, ASK})


def while_open(roles: frozenset[Role]) -> dict[State, frozenset[Role]]:
    """While A is open for the authority (a statement can be asked and answered)."""
    return {s: roles if s in OPEN_STATES else NOBODY for s in State}


SUBSCRIPTIONS: dict[str, dict[State, frozenset[Role]]] = {
    # the customer posts on the project's discussion
    "projectActivity/project-message": dict(SEES["project_discussion"]),
    # the customer posts on A's discussion
    "projectActivity/application-message": dict(SEES["discussion"]),
    # A's next status change: submit (drafts), start, ask, answer; nothing once final
    "applicationStatusChanged/next-status": {
        ST.DRAFT: AFTER_A_CHANGE,
        ST.SHARED_DRAFT: AFTER_A_CHANGE,
        ST.SUBMITTED: AFTER_A_CHANGE | {ASK},
        ST.IN_PROGRESS: AFTER_A_CHANGE | {ASK},
        ST.INFORMATION_REQUESTED: AFTER_A_CHANGE | {ASK},
        ST.FINAL: NOBODY,
        ST.FINAL_SHARED: NOBODY,
    },
    # new or returned work for A's authority: the submission, or the customer's message/answer
    "inboxActivity/new-work": everywhere(AUTHORITY),
    # the police ask the environmental services too: it starts to see A at once
    "projectActivity/statement-requested": while_open(SEE_A | {UNI}),
    "inboxActivity/statement-requested": while_open(frozenset({UNI})),
    # the building control answers: everyone who sees A; the police's inbox
    "projectActivity/statement-answered": while_open(SEE_A),
    "inboxActivity/statement-answered": while_open(AUTHORITY),
}

# --- the rest of the schema ------------------------------------------------------------------
# Who reaches the remaining objects (test_coverage.py runs these rows):
SEES.update(
    {
        # public: the catalogue, for everyone (anonymous too)
        "everyone": everywhere(frozenset(Role)),
        # a signed-in person sees themselves as a node (Viewer.person, node(Person))
        "self": everywhere(PERSONS),
        # an authority's staff list: its own handlers and admins
        "staff": everywhere(frozenset({AH, ADM})),
        # the police's audit log: its admins
        "audit": everywhere(frozenset({ADM})),
        # the outbox: authority admins (their authority's items) and operators (all)
        "outbox": everywhere(OUTBOX_USERS),
        # the kept mails: operators
        "kept": everywhere(frozenset({OPR})),
        # statementRequests (the root list): the asking and the asked authority
        "statement_parties": {
            s: frozenset({AH, ADM, SYS, ASK}) if s in SUBMITTED else NOBODY for s in State
        },
    }
)

#: the plan warns while A waits for the customer
WAITING = frozenset({ST.INFORMATION_REQUESTED})

MORE_FIELDS: dict[str, dict[str, Row]] = {
    "Person": {  # node(id) of the viewer's own Person
        "id": Row("self"),
        "name": Row("self"),
    },
    "Organisation": {  # node(id) of the company that owns the project
        "id": Row("customer"),
        "kind": Row("customer"),
        "name": Row("customer"),
        "businessId": Row("customer"),
    },
    "Authority": {  # node(id) of the police
        "id": Row("everyone"),
        "code": Row("everyone"),
        "name": Row("everyone", selection="{ fi }"),
        "businessId": Row("everyone", NEVER),  # not in the demo catalogue
        "scope": Row("everyone"),
        "municipalities": Row("everyone", selection="{ code }"),
        "handlers": Row("staff", selection="{ name }"),
    },
    "AuditEntry": {  # the police's audit log, its latest entry (if any: the police's reads of
        # a shared draft are audited too; once A is submitted, its handling)
        "action": Row("audit"),
        "objectId": Row("audit"),
        "createdAt": Row("audit"),
        "actorName": Row("audit"),
        "xroadClient": Row("audit", NEVER),
        "xroadId": Row("audit", NEVER),
        "xroadUserId": Row("audit", NEVER),
        "details": Row("audit"),
        "actor": Row("audit", selection="{ name }"),
        "actingForName": Row("audit", selection="{ fi }"),
    },
    "OutboxItem": {  # any item the viewer lists (application: see test_coverage)
        "id": Row("outbox"),
        "kind": Row("outbox"),
        "topic": Row("outbox"),
        "status": Row("outbox"),
        "eventId": Row("outbox"),
        "attempts": Row("outbox"),
        "lastError": Row("outbox", NEVER),
        "nextAttemptAt": Row("outbox"),
        "createdAt": Row("outbox"),
        "deliveredAt": Row("outbox", NEVER),
        "recipient": Row("outbox"),
        "application": Row("outbox", NEVER, "{ id }"),
    },
    "KeptMail": {  # the mail kept in the world
        "to": Row("kept"),
        "subject": Row("kept"),
        "text": Row("kept"),
        "html": Row("kept"),
        "language": Row("kept"),
        "keptAt": Row("kept"),
    },
    "ProjectPlan": {
        "startsOn": Row("plan"),
        "computedOn": Row("plan"),
        "expectedReadyOn": Row("plan"),
        "isStartAtRisk": Row("plan"),
        "entries": Row("plan", selection="{ slackDays }"),
        "warnings": Row("plan", WAITING, "{ code }"),
        "criticalPath": Row("plan", selection="{ id }"),
    },
    "PlanEntry": {  # the plan's entry of A
        "latestApplicationDate": Row("plan"),
        "recommendedApplicationDate": Row("plan"),
        "expectedDecisionDate": Row("plan"),
        "expectedProcessingDays": Row("plan"),
        "basis": Row("plan"),
        "decisionNeededBy": Row("plan"),
        "slackDays": Row("plan"),
        "isCritical": Row("plan"),
        "warnings": Row("plan", WAITING, "{ code }"),
        "application": Row("plan", selection="{ id }"),
        "requires": Row("plan", NEVER, "{ id }"),
    },
}

# The viewer, per role: what `viewer` says of each (tokens: no session, no mandates).
MEMBERSHIPS: dict[Role, tuple[str, str] | None] = {
    OWN: ("CUSTOMER_REPRESENTATIVE", "company"),
    CR: ("CUSTOMER_REPRESENTATIVE", "company"),
    UNR: None,
    AH: ("AUTHORITY_HANDLER", "helsinki-police"),
    CAH: ("AUTHORITY_HANDLER", "helsinki-rescue"),
    UNI: ("AUTHORITY_HANDLER", "helsinki-environmental-services"),
    SYS: None,
    ASK: ("AUTHORITY_HANDLER", "helsinki-building-control"),
    ADM: ("AUTHORITY_ADMIN", "helsinki-police"),
    OPR: None,
    ANON: None,
}
VIEWER: dict[str, Row] = {
    "isAuthenticated": flag("everyone", "signed_in"),
    "language": Row("everyone"),
    "isOperator": flag("everyone", "operator"),
    "hasSession": flag("everyone", "nobody"),
    "mandateSelectionUrl": Row("nobody"),
    "actingFor": Row("nobody", selection="{ id }"),
    "mayActFor": Row("nobody", selection="{ roles }"),
    "person": Row("self", selection="{ id }"),
    "authoritySystem": Row("system", selection="{ code }"),
    "canActPersonally": flag("everyone", "self"),
    "memberships": Row("member", selection="{ role organisation { id } authority { code } }"),
}
SEES.update(
    {
        "signed_in": everywhere(frozenset(Role) - {ANON}),
        "operator": everywhere(frozenset({OPR})),
        "system": everywhere(frozenset({SYS})),
        "member": everywhere(frozenset(r for r, m in MEMBERSHIPS.items() if m is not None)),
    }
)


@dataclass(frozen=True)
class Group:
    """Fields checked together under one rule, each listed: `rule` names what gates them."""

    rule: str
    fields: tuple[str, ...]


# rule: "public" (the catalogue: the same for everyone, test_coverage.test_the_catalogue_is_public);
# "parent" (values of the object they hang from, gated with it, e.g. Project.location);
# "connection" (a page of a list whose row gates it); "payload" (a mutation's answer: MUTATIONS
# gate it, the objects in it follow their own rows); "event" (a live event: SUBSCRIPTIONS gate
# it, test_subscription_matrix); "viewer" (parts of `viewer`, VIEWER); "plan" (of the plan).
CONNECTION = ("edges", "pageInfo", "totalCount", "nodes")
EDGE = ("cursor", "node")
APPLICATION_EVENT = ("eventId", "kind", "occurredAt", "project", "application")
ATTACHMENT_EVENT = (
    "eventId",
    "kind",
    "occurredAt",
    "project",
    "attachmentId",
    "attachment",
    "application",
)
STATEMENT_EVENT = (*APPLICATION_EVENT, "statementRequest")
#: the types listed in pages: each has a Connection and an Edge type
PAGED = (
    "Application",
    "AuditEntry",
    "Authority",
    "KeptMail",
    "Message",
    "OutboxItem",
    "PermitType",
    "Project",
    "StatementRequest",
    "StatusChange",
)
GROUPS: dict[str, Group] = {
    **{f"{name}Connection": Group("connection", CONNECTION) for name in PAGED},
    **{f"{name}Edge": Group("connection", EDGE) for name in PAGED},
    "PageInfo": Group("connection", ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor")),
    "ActingForSelectPayload": Group("payload", ("viewer", "userErrors")),
    **{
        f"{name}Payload": Group("payload", ("application", "userErrors"))
        for name in (
            "ApplicationAssign",
            "ApplicationCreate",
            "ApplicationNoticeRedirect",
            "ApplicationShare",
            "ApplicationStatusUpdate",
            "ApplicationSubmit",
            "ApplicationUpdate",
            "ApplicationWithdraw",
            "AttachmentRemove",
            "DecisionRecord",
            "SupplementRequest",
            "SupplementSubmit",
        )
    },
    "ApplicationExportPayload": Group("payload", ("document", "application", "userErrors")),
    "AttachmentAddPayload": Group("payload", ("attachments", "application", "userErrors")),
    "MessagePostPayload": Group("payload", ("message", "userErrors")),
    "OutboxRetryPayload": Group("payload", ("retried", "userErrors")),
    "ProjectCreatePayload": Group("payload", ("project", "userErrors")),
    "ProjectUpdatePayload": Group("payload", ("project", "userErrors")),
    **{
        f"Statement{name}Payload": Group(
            "payload", ("statementRequest", "application", "userErrors")
        )
        for name in ("Answer", "Decline", "Request", "Share")
    },
    "UserError": Group("payload", ("code", "message", "field")),
    **{
        f"{name}Event": Group("event", APPLICATION_EVENT)
        for name in (
            "ApplicationShared",
            "ApplicationSubmitted",
            "ApplicationUnshared",
            "ApplicationWithdrawn",
            "DecisionRecorded",
            "SupplementRequested",
            "SupplementSubmitted",
        )
    },
    "ApplicationStatusChangedEvent": Group("event", (*APPLICATION_EVENT, "fromStatus", "toStatus")),
    **{
        f"Attachment{name}Event": Group("event", ATTACHMENT_EVENT)
        for name in ("Added", "Removed", "Scanned")
    },
    "ListeningEvent": Group("event", ("eventId", "kind", "occurredAt", "project")),
    "MessagePostedEvent": Group(
        "event", ("eventId", "kind", "occurredAt", "project", "message", "thread")
    ),
    **{
        f"Statement{name}Event": Group("event", STATEMENT_EVENT)
        for name in ("Answered", "Declined", "Requested", "Shared")
    },
    "GeoPoint": Group("parent", ("latitude", "longitude")),
    "LocalizedText": Group("parent", ("fi", "sv", "en")),
    "PlanWarning": Group("plan", ("code", "message", "date", "neededBy", "application")),
    "Membership": Group("viewer", ("role", "organisation", "authority")),
    "Mandate": Group("viewer", ("roles", "organisation", "basis")),
    "Viewer": Group("viewer", tuple(VIEWER)),
    "AttachmentRequirement": Group(
        "public", ("kind", "name", "description", "isRequired", "allowedTypes", "maxBytes")
    ),
    "DurationFigures": Group("public", ("isSuppressed", "count", "medianDays", "p80Days")),
    "Municipality": Group("public", ("code", "name", "isAland")),
    "PermitKind": Group("public", ("id", "code", "name", "description", "requires")),
    "PermitNeedsResult": Group("public", ("suggestions", "userErrors")),
    "PermitSuggestion": Group(
        "public",
        (
            "certainty",
            "reasons",
            "leadTimeDays",
            "latestApplicationDate",
            "recommendedApplicationDate",
            "permitKind",
            "permitType",
            "authority",
            "channel",
        ),
    ),
    "PermitType": Group(
        "public",
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
    ),
    "ProcessingStatistics": Group(
        "public",
        (
            "windowStart",
            "windowEnd",
            "minimumCases",
            "typicalProcessingDays",
            "firstHandling",
            "decision",
            "customerWait",
            "withinTypicalShare",
            "permitType",
            "authority",
        ),
    ),
    "ServiceBundle": Group("public", ("id", "code", "name", "description", "questions")),
    "SurveyChoice": Group("public", ("value", "label")),
    "SurveyQuestion": Group(
        "public",
        (
            "questionId",
            "type",
            "isRequired",
            "text",
            "help",
            "minimum",
            "maximum",
            "isInteger",
            "choices",
            "askIf",
        ),
    ),
}

# --- the Query root: who may ask each field ---------------------------------------------------
# everyone: anonymous too (`project`, `application` and `node` answer null for what the viewer
# does not see: test_matrix); the rest answer a top-level UNAUTHENTICATED to anonymous and
# FORBIDDEN to signed-in roles outside the class.
ROOTS: dict[str, str] = {
    "viewer": "everyone",
    "node": "everyone",
    "serviceBundles": "everyone",
    "sharedDataSchema": "everyone",
    "municipalities": "everyone",
    "authorities": "everyone",
    "permitTypes": "everyone",
    "permitNeeds": "everyone",
    "processingStatistics": "everyone",
    "project": "everyone",
    "application": "everyone",
    "projects": "signed_in",
    "inbox": "authority_users",
    "statementRequests": "authority_users",
    "auditLog": "audit",
    "outboxItems": "outbox",
    "keptMails": "kept",
}
SEES["authority_users"] = everywhere(AUTHORITY_USERS)
