"""Projects (hanke)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models.ids import local_id
from permissions import policies
from permissions.facts import ApplicationFacts, ProjectFacts
from permissions.fields import CanReadProjectThread, CanSeeProjectPlan, restricted
from resolvers.context import Info
from resolvers.loaders import Row
from schema.catalogue import Municipality, ServiceBundle
from schema.common import After, Connection, First, connection, paginate_by_id
from schema.identity import Organisation, Person
from schema.node import Node

if TYPE_CHECKING:
    from schema.application import Application
    from schema.authority_work import Thread
    from schema.plan import ProjectPlan

ApplicationRef = Annotated["Application", strawberry.lazy("schema.application")]
ThreadRef = Annotated["Thread", strawberry.lazy("schema.authority_work")]
PlanRef = Annotated["ProjectPlan", strawberry.lazy("schema.plan")]


@strawberry.type(description="A point in WGS84 coordinates.")
class GeoPoint:
    latitude: float = strawberry.field(description="Latitude, degrees north.")
    longitude: float = strawberry.field(description="Longitude, degrees east.")


ProjectOwner = Annotated[
    Person | Organisation,
    strawberry.union(
        "ProjectOwner", description="Who owns a project: a person or an organisation."
    ),
]


@strawberry.type(description="A customer's project (hanke) and its permit bundle.")
class Project(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Name of the project.")
    description: str = strawberry.field(description="What the project is.")
    location: GeoPoint | None = strawberry.field(description="Main location (WGS84 point).")
    area: JSON | None = strawberry.field(
        description="Area as a GeoJSON Polygon or MultiPolygon (WGS84)."
    )
    starts_on: date | None = strawberry.field(description="Planned start date.")
    ends_on: date | None = strawberry.field(description="Planned end date.")
    shared_data: JSON = strawberry.field(
        description="Data given once and reused by every application (customer details, "
        "contacts...), as described by the catalogue's shared data schema."
    )
    version: int = strawberry.field(description="Current version, for `expectedVersion`.")
    created_at: datetime = strawberry.field(description="When the project was created.")
    updated_at: datetime = strawberry.field(description="When the project was last changed.")
    row: strawberry.Private[Row]

    @classmethod
    def from_row(cls, row: Row) -> Self:
        location = None
        if row["latitude"] is not None and row["longitude"] is not None:
            location = GeoPoint(latitude=row["latitude"], longitude=row["longitude"])
        return cls(
            id=row["id"],
            name=row["name"],
            description=row["description"],
            location=location,
            area=row["area"],
            starts_on=row["starts_on"],
            ends_on=row["ends_on"],
            shared_data=JSON(row["shared_data"] or {}),
            version=row["version"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            row=row,
        )

    async def facts(self, info: Info) -> ProjectFacts:
        facts = await info.context.loaders.project_facts(self.row["id"])
        assert facts is not None
        return facts

    @strawberry.field(description="The service bundle the project follows.")
    async def service_bundle(self, info: Info) -> ServiceBundle:
        row = await info.context.loaders.bundle.load(self.row["bundle_id"])
        assert row is not None
        return ServiceBundle.from_row(row)

    @strawberry.field(description="The main municipality, which decides the competent authorities.")
    async def municipality(self, info: Info) -> Municipality:
        row = await info.context.loaders.municipality.load(self.row["municipality_id"])
        assert row is not None
        return Municipality.from_row(row)

    @strawberry.field(
        description="The owner: a person, or an organisation acting through representatives."
    )
    async def owner(self, info: Info) -> ProjectOwner:
        if self.row["owner_organisation_id"] is not None:
            org = await info.context.loaders.organisation.load(self.row["owner_organisation_id"])
            assert org is not None
            return Organisation.from_row(org)
        person = await info.context.loaders.person.load(self.row["owner_person_id"])
        assert person is not None
        return Person.from_row(person)

    @strawberry.field(description="The project's applications, one per permit, oldest first.")
    async def applications(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[ApplicationRef]:
        from schema.application import Application

        rows = await info.context.loaders.applications_by_project.load(self.row["id"])
        facts = await self.facts(info)
        viewer = info.context.viewer
        if not (policies.is_customer(viewer, facts) or policies.is_involved(viewer, facts)):
            # an authority asked for a statement sees only the applications it was asked on
            rows = [
                r
                for r in rows
                if policies.can_see_application(viewer, ApplicationFacts.from_row(r), facts)
            ]
        page = paginate_by_id(rows, lambda r: r["id"], first, after)
        return connection(page, len(rows), Application.from_row, lambda r: [r["id"]])

    @strawberry.field(
        description="The project's discussion between the customer and all involved "
        "authorities; null for an authority that is only asked for a statement.",
        extensions=restricted(CanReadProjectThread()),
    )
    async def thread(self, info: Info) -> ThreadRef | None:
        from schema.authority_work import thread_of

        row = await info.context.loaders.project_thread(self.row["id"])
        assert row is not None
        return await thread_of(info, row)

    @strawberry.field(
        description="The permit plan: when to apply for each permit, when each decision can "
        "be expected, the critical path to the start, and warnings. For the customer and the "
        "involved authorities; null for others. Live: every event of `projectActivity` "
        "carries the project, so a subscription that selects `project { plan }` gets the "
        "plan as it is after each status change or supplement request.",
        extensions=restricted(CanSeeProjectPlan()),
    )
    async def plan(self, info: Info) -> PlanRef | None:
        from schema.plan import plan_of

        return await plan_of(info, self.row)

    @strawberry.field(description="True when the viewer is the project's customer (owner).")
    async def viewer_is_customer(self, info: Info) -> bool:
        return policies.is_customer(info.context.viewer, await self.facts(info))

    @strawberry.field(description="True when the viewer may change the project.")
    async def viewer_can_edit(self, info: Info) -> bool:
        return policies.can_edit_project(info.context.viewer, await self.facts(info))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Project | None]:
        return [await visible_project(info, local_id(i) or 0) for i in node_ids]


async def visible_project(info: Info, project_id: int) -> Project | None:
    """The project, if the viewer may see it; None otherwise (never a hint that it exists)."""
    row = await info.context.loaders.project.load(project_id)
    # the facts are read for a missing project too: the same work as for a hidden one
    facts = await info.context.loaders.project_facts(project_id)
    if row is None or facts is None or not policies.can_see_project(info.context.viewer, facts):
        return None
    return Project.from_row(row)
