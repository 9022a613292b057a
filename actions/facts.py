"""The facts of a project for the policies, read inside an action's transaction."""

from __future__ import annotations

from typing import Any

from actions.base import Tx
from models import Application, Project, StatementRequest
from permissions import policies
from permissions.facts import ApplicationFacts, ProjectFacts

APPLICATION_ROW_FIELDS = (
    "id",
    "project_id",
    "authority_id",
    "status",
    "is_shared",
    "submitted_at",
    "assigned_to_id",
    "permit_type_id",
)

#: what `permissions.facts.StatementFacts` needs of a statement request row
STATEMENT_FACT_FIELDS = (
    "id",
    "application_id",
    "requesting_authority_id",
    "asked_authority_id",
    "status",
    "is_shared_with_customer",
)


def application_facts(application: Application) -> ApplicationFacts:
    """The facts of an application model object."""
    return ApplicationFacts.from_row({f: getattr(application, f) for f in APPLICATION_ROW_FIELDS})


async def project_facts_in(tx: Tx, project: Project) -> tuple[list[dict[str, Any]], ProjectFacts]:
    """The project's application rows and its facts (with its statement requests)."""
    siblings = (
        await Application.filter(project_id=project.id)
        .using_db(tx.conn)
        .values(*APPLICATION_ROW_FIELDS)
    )
    statements = (
        await StatementRequest.filter(application__project_id=project.id)
        .using_db(tx.conn)
        .values(*STATEMENT_FACT_FIELDS)
    )
    facts = policies.project_facts(
        {
            "id": project.id,
            "owner_person_id": project.owner_person_id,
            "owner_organisation_id": project.owner_organisation_id,
        },
        siblings,
        statements,
    )
    return siblings, facts
