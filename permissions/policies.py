"""Every rule about who may see or do what, each written once, as a pure function.

The rules (DOMAIN.md, "Who sees what"):
- The customer is the project's owner: the owning person, or any representative of the
  owning organisation. The customer sees and edits everything of their project.
- An authority is *involved* in a project when it is the addressed authority of at least
  one application that has been submitted or shared as a draft.
- Involved authorities see the project and the metadata of all its applications
  (permit type, authority, status and history), and its discussions.
- Application content (form data, supplements, the export) is visible to authorities
  only when the application has been submitted, or is a draft the customer has shared.
- A decision is visible to the customer and the deciding authority; to the other
  involved authorities only when shared.
- Confidential form fields (`x-confidential` in the permit type's form) are seen only by
  the customer and the handling (addressed) authority; everyone else who reads the
  content gets it without them.
- An authority asked for a statement on an application sees the project, that
  application's metadata and its own requests; while a request is open it reads the
  application's content (confidential fields removed) to give the statement. It sees
  neither the discussions nor the decision nor the plan, unless it is involved anyway.
- A statement request is seen by the customer and the involved authorities (that it was
  asked, when, of whom, when it came) and by the asked authority; its texts by the two
  authorities, and by the others only once the handling authority shares it.
- Everyone else sees nothing: resolvers answer NOT_FOUND, never a hint.

Strawberry permission classes (permissions/fields.py), resolvers, actions and the
subscription filter all call these functions; tests/permissions/ proves them by a matrix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from models.statuses import ApplicationStatus
from permissions.facts import (
    ApplicationFacts,
    DecisionFacts,
    ProjectFacts,
    StatementFacts,
    ThreadFacts,
    Viewer,
)

# --- building blocks ----------------------------------------------------------------------


def is_visible_to_authorities(app: ApplicationFacts) -> bool:
    """Submitted, or a draft the customer has marked visible to authorities."""
    if app.is_submitted:
        return True
    return app.status is ApplicationStatus.DRAFT and app.is_shared


def involved_authorities(applications: Iterable[ApplicationFacts]) -> frozenset[int]:
    """The authorities involved in a project, given all of its applications."""
    return frozenset(a.authority_id for a in applications if is_visible_to_authorities(a))


def project_facts(
    project: Mapping[str, Any],
    applications: Iterable[Mapping[str, Any]],
    statements: Iterable[Mapping[str, Any]] = (),
) -> ProjectFacts:
    """Facts of a project row (`.values()` of models.Project), all its application rows and
    the statement request rows of those applications."""
    return ProjectFacts(
        id=project["id"],
        owner_person_id=project["owner_person_id"],
        owner_organisation_id=project["owner_organisation_id"],
        involved_authorities=involved_authorities(
            ApplicationFacts.from_row(a) for a in applications
        ),
        statements=tuple(StatementFacts.from_row(s) for s in statements),
    )


def is_customer(viewer: Viewer, project: ProjectFacts) -> bool:
    """The viewer owns the project, personally or by representing the owning organisation."""
    if viewer.person_id is not None and viewer.person_id == project.owner_person_id:
        return True
    return project.owner_organisation_id is not None and (
        project.owner_organisation_id in viewer.represented
    )


def is_involved(viewer: Viewer, project: ProjectFacts) -> bool:
    """The viewer acts for an authority involved in the project."""
    return not viewer.acting_authorities.isdisjoint(project.involved_authorities)


def acts_for_authority(viewer: Viewer, authority_id: int | None) -> bool:
    """The viewer is a handler or admin of the authority, or its system's token."""
    return authority_id is not None and authority_id in viewer.acting_authorities


def is_addressed_authority(viewer: Viewer, app: ApplicationFacts) -> bool:
    return acts_for_authority(viewer, app.authority_id)


def is_asked_for_statement(viewer: Viewer, app: ApplicationFacts, project: ProjectFacts) -> bool:
    """The viewer acts for an authority asked for a statement on this application."""
    return any(
        s.application_id == app.id and s.asked_authority_id in viewer.acting_authorities
        for s in project.statements
    )


def is_asked_in_project(viewer: Viewer, project: ProjectFacts) -> bool:
    return not viewer.acting_authorities.isdisjoint(project.statement_authorities)


# --- projects -----------------------------------------------------------------------------


def can_see_project(viewer: Viewer, project: ProjectFacts) -> bool:
    return (
        is_customer(viewer, project)
        or is_involved(viewer, project)
        or is_asked_in_project(viewer, project)
    )


def can_read_project_thread(viewer: Viewer, project: ProjectFacts) -> bool:
    """The project's discussion: the customer and the involved authorities."""
    return can_read_thread(viewer, ThreadFacts(0, project.id, None), project)


def can_edit_project(viewer: Viewer, project: ProjectFacts) -> bool:
    return viewer.person_id is not None and is_customer(viewer, project)


def can_see_plan(viewer: Viewer, project: ProjectFacts) -> bool:
    """The permit plan (dates and warnings of every application): the customer and the
    involved authorities, as the common view of the permit bundle."""
    return is_customer(viewer, project) or is_involved(viewer, project)


def can_create_project_for(viewer: Viewer, organisation_id: int | None) -> bool:
    """A person may own a project personally, or for an organisation they represent."""
    if viewer.person_id is None:
        return False
    return organisation_id is None or organisation_id in viewer.represented


# --- applications -------------------------------------------------------------------------


def can_see_application(viewer: Viewer, app: ApplicationFacts, project: ProjectFacts) -> bool:
    """Metadata: permit type, authority, status and history."""
    return (
        is_customer(viewer, project)
        or is_involved(viewer, project)
        or is_asked_for_statement(viewer, app, project)
    )


def can_read_content_for_statement(
    viewer: Viewer, app: ApplicationFacts, project: ProjectFacts
) -> bool:
    """An authority asked for a statement reads the application's content while the request
    is open: the purpose for which it was asked."""
    return any(
        s.application_id == app.id
        and s.is_open
        and s.asked_authority_id in viewer.acting_authorities
        for s in project.statements
    )


def can_read_application_content(
    viewer: Viewer, app: ApplicationFacts, project: ProjectFacts
) -> bool:
    """Form data, supplements and the export."""
    if is_customer(viewer, project):
        return True
    if is_involved(viewer, project) and is_visible_to_authorities(app):
        return True
    return can_read_content_for_statement(viewer, app, project)


def can_read_confidential_fields(
    viewer: Viewer, app: ApplicationFacts, project: ProjectFacts
) -> bool:
    """Confidential form fields: the customer and the handling (addressed) authority only;
    everyone else who reads the content gets it with them removed."""
    if is_customer(viewer, project):
        return True
    return is_addressed_authority(viewer, app) and can_read_application_content(
        viewer, app, project
    )


def can_edit_application(viewer: Viewer, app: ApplicationFacts, project: ProjectFacts) -> bool:
    """Customer-side changes: draft content, sharing, submitting, withdrawing, supplements."""
    return viewer.person_id is not None and is_customer(viewer, project)


def can_handle_application(viewer: Viewer, app: ApplicationFacts, project: ProjectFacts) -> bool:
    """Authority-side changes (status, supplement requests, decisions, notice redirects) and
    the export: once submitted, the addressed authority also reads the content, so handling
    implies it (the export's parts are each gated by their own rule, actions/export.py)."""
    return app.is_submitted and is_addressed_authority(viewer, app)


def can_take_application(viewer: Viewer, app: ApplicationFacts, project: ProjectFacts) -> bool:
    """A handler (a person) of the addressed authority may assign it to themselves."""
    return (
        viewer.person_id is not None and app.is_submitted and app.authority_id in viewer.handler_of
    )


def can_assign_to_others(viewer: Viewer, app: ApplicationFacts) -> bool:
    """An admin of the addressed authority may assign the application to any of its handlers."""
    return app.is_submitted and app.authority_id in viewer.admin_of


# --- decisions ----------------------------------------------------------------------------


def can_see_decision(
    viewer: Viewer, decision: DecisionFacts, app: ApplicationFacts, project: ProjectFacts
) -> bool:
    if is_customer(viewer, project):
        return True
    if not is_involved(viewer, project):
        return False
    return decision.authority_id in viewer.acting_authorities or decision.is_shared


# --- statements between authorities -------------------------------------------------------


def can_see_statement(
    viewer: Viewer, statement: StatementFacts, app: ApplicationFacts, project: ProjectFacts
) -> bool:
    """That a statement was requested, of whom, when, and when it came."""
    if statement.asked_authority_id in viewer.acting_authorities:
        return True
    return is_customer(viewer, project) or is_involved(viewer, project)


def can_read_statement_text(
    viewer: Viewer, statement: StatementFacts, app: ApplicationFacts, project: ProjectFacts
) -> bool:
    """The question and the answer: the two authorities; the others once shared."""
    acting = viewer.acting_authorities
    if statement.requesting_authority_id in acting or statement.asked_authority_id in acting:
        return True
    return statement.is_shared_with_customer and can_see_statement(viewer, statement, app, project)


def is_asked_authority(viewer: Viewer, statement: StatementFacts) -> bool:
    """The viewer acts for the authority the statement is asked of."""
    return statement.asked_authority_id in viewer.acting_authorities


def can_answer_statement(viewer: Viewer, statement: StatementFacts) -> bool:
    """The asked authority answers or declines while the request is open."""
    return statement.is_open and is_asked_authority(viewer, statement)


def can_share_statement(viewer: Viewer, statement: StatementFacts) -> bool:
    """The handling authority shares the texts with the customer (and co-authorities)."""
    return statement.requesting_authority_id in viewer.acting_authorities


# --- discussion threads -------------------------------------------------------------------


def can_read_thread(viewer: Viewer, thread: ThreadFacts, project: ProjectFacts) -> bool:
    if is_customer(viewer, project):
        return True
    if not is_involved(viewer, project):
        return False
    return thread.application is None or is_visible_to_authorities(thread.application)


def can_post_to_thread(viewer: Viewer, thread: ThreadFacts, project: ProjectFacts) -> bool:
    """The customer; the involved authorities on the project thread; the addressed
    authority on an application's thread."""
    if not can_read_thread(viewer, thread, project):
        return False
    if is_customer(viewer, project):
        return viewer.person_id is not None
    if thread.application is None:
        return True
    return is_addressed_authority(viewer, thread.application)


def may_be_told_of_message(
    person: Viewer, author: Viewer, thread: ThreadFacts, project: ProjectFacts
) -> bool:
    """Whether `person` gets a notice (never the text) of a message `author` posted: messages
    from the authorities' side are addressed to the customer, so a customer of the project
    who may read the thread is told, unless they wrote it themselves."""
    return (
        person.person_id is not None
        and person.person_id != author.person_id
        and not is_customer(author, project)
        and is_customer(person, project)
        and can_read_thread(person, thread, project)
    )


# --- acting for ---------------------------------------------------------------------------


def customer_acting_for(viewer: Viewer, owner_organisation_id: int | None) -> int | None:
    """The organisation a customer acts for: the owning organisation, when they represent it
    (None: acting personally)."""
    if owner_organisation_id is not None and owner_organisation_id in viewer.represented:
        return owner_organisation_id
    return None


def authority_acting_for(
    viewer: Viewer, project: ProjectFacts, authority_id: int | None
) -> int | None:
    """The authority an authority user acts for about something of `authority_id` (None: the
    project's own discussion): that authority when the viewer acts for it, else the first of
    the viewer's authorities involved in the project."""
    acting = viewer.acting_authorities
    if authority_id is not None and authority_id in acting:
        return authority_id
    involved = acting & project.involved_authorities
    return min(involved) if involved else None


def acting_for(viewer: Viewer, project: ProjectFacts, authority_id: int | None) -> int | None:
    """For whom the viewer acts in the project: the customer's organisation, or an authority."""
    if is_customer(viewer, project):
        return customer_acting_for(viewer, project.owner_organisation_id)
    return authority_acting_for(viewer, project, authority_id)


def customer_recipient(
    submitted_by: int | None, owner_person: int | None, created_by: int | None
) -> int | None:
    """The person of the customer who is mailed a notice: about an application, the person
    who submitted it, else the project's owning person, else who created the draft; about the
    project (no submitter), its owning person, else who created it. One person, not every
    representative: they all read the rest in Luukku. The mail goes out only if that person
    may still be told (may_be_told_of_message, for a message) and has an address."""
    return submitted_by or owner_person or created_by


def is_audited_read(viewer: Viewer, project: ProjectFacts) -> bool:
    """Reads of content and attachments are audited for authority users, not customers."""
    return viewer.is_authority_user and not is_customer(viewer, project)


# --- identity nodes -------------------------------------------------------------------------


def can_see_person_node(viewer: Viewer, person_id: int) -> bool:
    """A person is visible through `node` to themselves (others meet them as names)."""
    return viewer.person_id is not None and viewer.person_id == person_id


def can_see_organisation_node(viewer: Viewer, organisation_id: int) -> bool:
    """A company or association is visible through `node` to its representatives."""
    return organisation_id in viewer.represented


def can_see_staff_list(viewer: Viewer, authority_id: int) -> bool:
    """An authority's handlers and admins: visible to its own staff."""
    return authority_id in viewer.handler_of


def access_still_holds(old: Viewer, fresh: Viewer | None) -> bool:
    """A live connection keeps its viewer while the fresh rights include the old ones."""
    return fresh is not None and (
        old.represented <= fresh.represented
        and old.handler_of <= fresh.handler_of
        and old.admin_of <= fresh.admin_of
        and old.system_authority_id == fresh.system_authority_id
        and old.acting_for == fresh.acting_for
    )


def authority_may_be_told_of_message(
    app: ApplicationFacts, thread: ThreadFacts, project: ProjectFacts
) -> bool:
    """Whether the authority of `app` gets a notice of a customer's message on `thread`: on
    an application's thread its authority, on the project's every involved authority (told
    about its own application), once the application is visible to authorities."""
    if thread.application is not None and thread.application.id != app.id:
        return False
    return app.authority_id in project.involved_authorities and is_visible_to_authorities(app)


def authority_may_be_told_of_withdrawal(app: ApplicationFacts) -> bool:
    """A withdrawal is told to the addressed authority once it had the application
    submitted (a shared draft's authority only looked at it)."""
    return app.is_submitted


# --- authority work -----------------------------------------------------------------------


def can_use_inbox(viewer: Viewer) -> bool:
    return viewer.is_authority_user


def inbox_authorities(viewer: Viewer, only: int | None = None) -> frozenset[int]:
    """The authorities whose submitted applications the viewer's inbox shows (`only`: one of
    them, as the filter asks)."""
    if only is None:
        return viewer.acting_authorities
    return viewer.acting_authorities & {only}


def is_in_inbox(viewer: Viewer, app: ApplicationFacts, only: int | None = None) -> bool:
    """The inbox lists the submitted applications addressed to the viewer's authorities."""
    return app.is_submitted and app.authority_id in inbox_authorities(viewer, only)


def is_inbox_event_for(viewer: Viewer, event_authorities: Iterable[int]) -> bool:
    """An event goes to the inbox of the viewer when it is work of one of its authorities."""
    return not viewer.acting_authorities.isdisjoint(event_authorities)


def can_redirect_notices(viewer: Viewer, app: ApplicationFacts) -> bool:
    """The handler who took the application, or an admin of its authority."""
    taker = app.assigned_to_id is not None and app.assigned_to_id == viewer.person_id
    return is_addressed_authority(viewer, app) and (taker or app.authority_id in viewer.admin_of)


def can_read_audit_log(viewer: Viewer, authority_id: int) -> bool:
    return authority_id in viewer.admin_of


def can_manage_outbox(viewer: Viewer) -> bool:
    """Operators manage every outbox item; authority admins their own authority's items."""
    return viewer.is_operator or bool(viewer.admin_of)


def outbox_scope(viewer: Viewer) -> frozenset[int] | None:
    """The authorities whose outbox items the viewer manages; None: every item (operators).
    Only meaningful when can_manage_outbox."""
    return None if viewer.is_operator else viewer.admin_of


def can_see_outbox_item(
    viewer: Viewer, authority_id: int | None, app: ApplicationFacts | None = None
) -> bool:
    """An item of the viewer's authority (any item for operators), unless it is about an
    application the authority does not see (a customer's reminder of an unshared draft)."""
    scope = outbox_scope(viewer)
    if scope is None:
        return True
    if app is not None and not is_visible_to_authorities(app):
        return False
    return authority_id is not None and authority_id in scope


def can_read_kept_mails(viewer: Viewer) -> bool:
    """Mails kept instead of sent hold every recipient's notices: operators only."""
    return viewer.is_operator


# --- live events -----------------------------------------------------------------------------


def audience(
    viewer: Viewer, project: ProjectFacts, authority_ids: Iterable[int]
) -> tuple[object, ...]:
    """What the policies of one project see of a viewer: customer or not, person or system,
    and the viewer's roles among the project's authorities. Viewers with the same audience
    get the same answer from every policy about the project and its objects, so a live
    event can be executed once for all of them (schema/sharing.py)."""
    relevant = (
        frozenset(authority_ids) | project.involved_authorities | project.statement_authorities
    )
    return (
        is_customer(viewer, project),
        viewer.person_id is not None,
        viewer.acting_authorities & relevant,
        viewer.handler_of & relevant,
        viewer.admin_of & relevant,
    )
