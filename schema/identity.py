"""People, organisations and the viewer."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Self

import strawberry
from strawberry import relay

from models.enums import Language as DomainLanguage
from models.enums import OrganisationKind as DomainKind
from models.ids import local_id
from permissions import policies
from resolvers.context import Info
from resolvers.loaders import Row
from schema.catalogue import Authority
from schema.enums import Language, OrganisationKind, Role
from schema.node import Node


@strawberry.type(description="A person: a customer's representative or an authority's handler.")
class Person(Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="Full name.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(id=row["id"], name=row["name"])

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """A person is visible as a node to themselves."""
        viewer = info.context.viewer
        result: list[Self | None] = []
        for node_id in node_ids:
            person_id = local_id(node_id)
            if person_id is not None and policies.can_see_person_node(viewer, person_id):
                row = await info.context.loaders.person.load(person_id)
                result.append(None if row is None else cls.from_row(row))
            else:
                result.append(None)
        return result


@strawberry.type(description="A company or an association that owns projects.")
class Organisation(Node):
    id: relay.NodeID[int]
    kind: OrganisationKind = strawberry.field(description="Company or association.")
    name: str = strawberry.field(description="Registered name.")
    business_id: str | None = strawberry.field(description="Business ID (Y-tunnus).")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            kind=DomainKind(row["kind"]),
            name=row["name"].get("fi", ""),
            business_id=row["business_id"],
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """An organisation is visible as a node to its representatives."""
        viewer = info.context.viewer
        result: list[Self | None] = []
        for node_id in node_ids:
            org_id = local_id(node_id)
            if org_id is not None and policies.can_see_organisation_node(viewer, org_id):
                row = await info.context.loaders.organisation.load(org_id)
                result.append(None if row is None else cls.from_row(row))
            else:
                result.append(None)
        return result


@strawberry.type(description="A role the viewer has in an organisation or an authority.")
class Membership:
    role: Role = strawberry.field(description="The role.")
    organisation_row: strawberry.Private[Row]

    @strawberry.field(description="The company or association (for CUSTOMER_REPRESENTATIVE).")
    def organisation(self) -> Organisation | None:
        if self.organisation_row["kind"] == DomainKind.AUTHORITY:
            return None
        return Organisation.from_row(self.organisation_row)

    @strawberry.field(description="The authority (for AUTHORITY_HANDLER and AUTHORITY_ADMIN).")
    def authority(self) -> Authority | None:
        if self.organisation_row["kind"] != DomainKind.AUTHORITY:
            return None
        return Authority.from_row(self.organisation_row)


@strawberry.enum(description="Where a mandate comes from.")
class MandateService(Enum):
    LUUKKU_REGISTER = strawberry.enum_value(
        "memberships", description="Luukku's own register of representatives."
    )
    SUOMIFI = strawberry.enum_value(
        "suomifi", description="Suomi.fi e-Authorizations (organisation roles)."
    )


@strawberry.type(description="A mandate: an organisation the person may act for, and why.")
class Mandate:
    organisation_row: strawberry.Private[Row]
    service: strawberry.Private[str]
    roles: list[str] = strawberry.field(
        description="The person's roles in the organisation as the mandate service gave them "
        "(e.g. NIMKO, TJ at Suomi.fi)."
    )

    @strawberry.field(description="The organisation.")
    def organisation(self) -> Organisation:
        return Organisation.from_row(self.organisation_row)

    @strawberry.field(description="Which service gave the mandate.")
    def basis(self) -> MandateService:
        return MandateService(self.service)


@strawberry.type(
    description="Who is asking: the signed-in person or system, and for whom they may act."
)
class Viewer:
    is_authenticated: bool = strawberry.field(description="False without a valid bearer token.")
    language: Language = strawberry.field(description="Language of this response's texts.")
    is_operator: bool = strawberry.field(description="Luukku's own operator (service desk).")
    has_session: bool = strawberry.field(
        description="True when signed in through the browser (/auth/login) with the session cookie."
    )
    mandate_selection_url: str | None = strawberry.field(
        description="Where to send the browser to choose organisations at Suomi.fi "
        "e-Authorizations (`/auth/mandate?returnTo=...`); null when the sign-in uses "
        "Luukku's own register of representatives."
    )
    person_row: strawberry.Private[Row | None]
    system_authority_id: strawberry.Private[int | None]
    organisation_roles: strawberry.Private[list[tuple[int, Role]]]
    acting_for_id: strawberry.Private[int | None]
    mandates: strawberry.Private[list[tuple[int, str, list[str]]]]

    @strawberry.field(
        description="The organisation this session acts for (chosen with actingForSelect); "
        "null when acting personally."
    )
    async def acting_for(self, info: Info) -> Organisation | None:
        if self.acting_for_id is None:
            return None
        row = await info.context.loaders.organisation.load(self.acting_for_id)
        return None if row is None else Organisation.from_row(row)

    @strawberry.field(
        description="Companies and associations the signed-in person may act for, by mandate "
        "(session sign-ins; empty for tokens, whose memberships are in `memberships`)."
    )
    async def may_act_for(self, info: Info) -> list[Mandate]:
        rows = await info.context.loaders.organisation.load_many([o for o, _, _ in self.mandates])
        return [
            Mandate(organisation_row=row, service=service, roles=roles)
            for (_, service, roles), row in zip(self.mandates, rows, strict=True)
            if row is not None
        ]

    @strawberry.field(description="The signed-in person; null for anonymous and system tokens.")
    def person(self) -> Person | None:
        return None if self.person_row is None else Person.from_row(self.person_row)

    @strawberry.field(description="The authority an authority system's token acts for.")
    async def authority_system(self, info: Info) -> Authority | None:
        if self.system_authority_id is None:
            return None
        row = await info.context.loaders.organisation.load(self.system_authority_id)
        return None if row is None else Authority.from_row(row)

    @strawberry.field(description="True when the viewer may own projects in their own name.")
    def can_act_personally(self) -> bool:
        return self.person_row is not None

    @strawberry.field(
        description="Organisations and authorities the viewer may act for, with roles."
    )
    async def memberships(self, info: Info) -> list[Membership]:
        rows = await info.context.loaders.organisation.load_many(
            [o for o, _ in self.organisation_roles]
        )
        return [
            Membership(role=role, organisation_row=row)
            for (_, role), row in zip(self.organisation_roles, rows, strict=True)
            if row is not None
        ]


def language_of(value: str) -> DomainLanguage:
    return DomainLanguage(value if value in {"fi", "sv", "en"} else "fi")
