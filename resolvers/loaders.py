"""Per-request DataLoaders. Every child field and list field goes through one of these.

Loaders read `.values()` rows (plain dicts), not model objects: the hot read paths build
GraphQL objects straight from rows. One `Loaders` is created per request (and per
subscription event), so nothing is cached across requests.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from models import (
    Application,
    Decision,
    Membership,
    Message,
    Municipality,
    Organisation,
    PermitKind,
    PermitType,
    Person,
    Project,
    ServiceBundle,
    StatusChange,
    SupplementRequest,
    Thread,
)
from models.enums import Role
from permissions.facts import ProjectFacts
from permissions.policies import project_facts

Row = dict[str, Any]
K = TypeVar("K", bound=Hashable)

APPLICATION_FIELDS = (
    "id",
    "project_id",
    "permit_type_id",
    "authority_id",
    "status",
    "is_shared",
    "content",
    "origin",
    "certainty",
    "version",
    "created_by_id",
    "created_at",
    "updated_at",
    "submitted_at",
    "submitted_by_id",
    "assigned_to_id",
    "assigned_at",
    "notice_email",
    "final_at",
)


def _by_key(
    fetch: Callable[[list[K]], Awaitable[list[Row]]], key: str = "id"
) -> Callable[[list[K]], Awaitable[list[Row | None]]]:
    async def load(keys: list[K]) -> list[Row | None]:
        rows = {row[key]: row for row in await fetch(list(set(keys)))}
        return [rows.get(k) for k in keys]

    return load


def _grouped(
    fetch: Callable[[list[K]], Awaitable[list[Row]]], key: str
) -> Callable[[list[K]], Awaitable[list[list[Row]]]]:
    async def load(keys: list[K]) -> list[list[Row]]:
        groups: dict[Any, list[Row]] = defaultdict(list)
        for row in await fetch(list(set(keys))):
            groups[row[key]].append(row)
        return [groups.get(k, []) for k in keys]

    return load


class Loaders:
    """The DataLoaders of one request."""

    def __init__(self) -> None:
        self.project = DataLoader[int, Row | None](
            _by_key(lambda ids: Project.filter(id__in=ids).values())
        )
        self.application = DataLoader[int, Row | None](
            _by_key(lambda ids: Application.filter(id__in=ids).values(*APPLICATION_FIELDS))
        )
        self.applications_by_project = DataLoader[int, list[Row]](
            _grouped(self._fetch_project_applications, "project_id")
        )
        self.status_changes_by_application = DataLoader[int, list[Row]](
            _grouped(
                lambda ids: StatusChange.filter(application_id__in=ids).order_by("id").values(),
                "application_id",
            )
        )
        self.permit_type = DataLoader[int, Row | None](
            _by_key(lambda ids: PermitType.filter(id__in=ids).values())
        )
        self.permit_kind = DataLoader[int, Row | None](
            _by_key(lambda ids: PermitKind.filter(id__in=ids).values())
        )
        self.organisation = DataLoader[int, Row | None](
            _by_key(lambda ids: Organisation.filter(id__in=ids).values())
        )
        self.person = DataLoader[int, Row | None](
            _by_key(lambda ids: Person.filter(id__in=ids).values("id", "name", "language"))
        )
        self.municipality = DataLoader[str, Row | None](
            _by_key(lambda codes: Municipality.filter(code__in=codes).values(), key="code")
        )
        self.bundle = DataLoader[int, Row | None](
            _by_key(lambda ids: ServiceBundle.filter(id__in=ids).values())
        )
        self.supplements_by_application = DataLoader[int, list[Row]](
            _grouped(
                lambda ids: (
                    SupplementRequest.filter(application_id__in=ids).order_by("id").values()
                ),
                "application_id",
            )
        )
        self.decision_by_application = DataLoader[int, Row | None](
            _by_key(
                lambda ids: Decision.filter(application_id__in=ids).values(), key="application_id"
            )
        )
        self.thread = DataLoader[int, Row | None](
            _by_key(lambda ids: Thread.filter(id__in=ids).values())
        )
        self.thread_by_application = DataLoader[int, Row | None](
            _by_key(
                lambda ids: Thread.filter(application_id__in=ids).values(), key="application_id"
            )
        )
        self.project_thread = DataLoader[int, Row | None](
            _by_key(
                lambda ids: Thread.filter(project_id__in=ids, application_id=None).values(),
                key="project_id",
            )
        )
        self.message = DataLoader[int, Row | None](
            _by_key(lambda ids: Message.filter(id__in=ids).values())
        )
        self.messages_by_thread = DataLoader[int, list[Row]](
            _grouped(
                lambda ids: Message.filter(thread_id__in=ids).order_by("id").values(), "thread_id"
            )
        )
        self.staff_by_authority = DataLoader[int, list[Row]](
            _grouped(self._fetch_staff, "organisation_id")
        )
        self._facts: dict[int, ProjectFacts] = {}

    async def _fetch_project_applications(self, project_ids: list[int]) -> list[Row]:
        rows = (
            await Application.filter(project_id__in=project_ids)
            .order_by("id")
            .values(*APPLICATION_FIELDS)
        )
        for row in rows:
            self.application.prime(row["id"], row)
        return rows

    async def _fetch_staff(self, authority_ids: list[int]) -> list[Row]:
        rows = (
            await Membership.filter(
                organisation_id__in=authority_ids,
                role__in=[Role.AUTHORITY_HANDLER, Role.AUTHORITY_ADMIN],
            )
            .order_by("person__name", "person_id")
            .values("organisation_id", id="person_id", name="person__name")
        )
        unique = {(r["organisation_id"], r["id"]): r for r in rows}
        return list(unique.values())

    def prime_projects(self, rows: Sequence[Row]) -> None:
        for row in rows:
            self.project.prime(row["id"], row)

    async def project_facts(self, project_id: int) -> ProjectFacts | None:
        """Facts of a project for the policies, computed once per request."""
        if project_id in self._facts:
            return self._facts[project_id]
        project = await self.project.load(project_id)
        if project is None:
            return None
        facts = project_facts(project, await self.applications_by_project.load(project_id))
        self._facts[project_id] = facts
        return facts
