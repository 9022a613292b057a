"""The facts of a project for the policies, read inside an action's transaction."""

from __future__ import annotations

from typing import Any

from actions.base import Tx
from models import Application, Project
from permissions import policies
from permissions.facts import ProjectFacts

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


async def project_facts_in(tx: Tx, project: Project) -> tuple[list[dict[str, Any]], ProjectFacts]:
    """The project's application rows and its facts."""
    siblings = (
        await Application.filter(project_id=project.id)
        .using_db(tx.conn)
        .values(*APPLICATION_ROW_FIELDS)
    )
    facts = policies.project_facts(
        {
            "id": project.id,
            "owner_person_id": project.owner_person_id,
            "owner_organisation_id": project.owner_organisation_id,
        },
        siblings,
    )
    return siblings, facts
