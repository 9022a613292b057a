"""SQL forms of the rules that lists need, built clause by clause from the same building
blocks as permissions/policies.py (each function names the policy it is the SQL of).

Lists filter in the database rather than load every row and ask the policy; the clauses
here are the policy's, term for term, and tests/permissions/test_filters.py proves that
each filter selects exactly the rows the policy allows, on every project of a varied
world and every kind of viewer (on SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.expressions import Q, Subquery

from models import Application, StatementRequest
from models.statuses import ApplicationStatus
from permissions.facts import Viewer

#: matches nothing: the identity of OR
NOTHING = Q(id=-1)


def visible_to_authorities() -> Q:
    """policies.is_visible_to_authorities, on application rows."""
    return Q(submitted_at__not_isnull=True) | Q(status=ApplicationStatus.DRAFT, is_shared=True)


def customer_projects(viewer: Viewer) -> Q:
    """policies.is_customer, on project rows."""
    conditions = NOTHING
    if viewer.person_id is not None:
        conditions |= Q(owner_person_id=viewer.person_id)
    if viewer.represented:
        conditions |= Q(owner_organisation_id__in=sorted(viewer.represented))
    return conditions


def involved_projects(viewer: Viewer) -> Q:
    """policies.is_involved, on project rows: the viewer's authority is the addressed one of
    an application visible to authorities (policies.involved_authorities)."""
    if not viewer.acting_authorities:
        return NOTHING
    involved = Application.filter(authority_id__in=sorted(viewer.acting_authorities)).filter(
        visible_to_authorities()
    )
    return Q(id__in=Subquery(involved.values("project_id")))


def asked_projects(viewer: Viewer) -> Q:
    """policies.is_asked_in_project, on project rows."""
    if not viewer.acting_authorities:
        return NOTHING
    asked = StatementRequest.filter(asked_authority_id__in=sorted(viewer.acting_authorities))
    return Q(id__in=Subquery(asked.values("application__project_id")))


def inbox_applications(authorities: Iterable[int]) -> Q:
    """policies.is_in_inbox, on application rows, for policies.inbox_authorities."""
    return Q(submitted_at__not_isnull=True, authority_id__in=sorted(authorities) or [0])


def outbox_items(scope: frozenset[int] | None) -> Q:
    """policies.can_see_outbox_item, on outbox item rows, for policies.outbox_scope."""
    if scope is None:
        return ~NOTHING
    hidden = Application.filter(~visible_to_authorities())
    about_visible = Q(application_id__isnull=True) | ~Q(
        application_id__in=Subquery(hidden.values("id"))
    )
    return Q(authority_id__in=sorted(scope) or [0]) & about_visible


def visible_projects(viewer: Viewer) -> Q:
    """policies.can_see_project, on project rows."""
    return customer_projects(viewer) | involved_projects(viewer) | asked_projects(viewer)
