"""Statement requests between authorities (lausuntopyyntö)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from models.ids import local_id
from models.statements import StatementStatus as DomainStatus
from permissions import policies
from permissions.facts import ApplicationFacts, ProjectFacts, StatementFacts
from resolvers.context import Info
from resolvers.loaders import Row
from schema.enums import describe
from schema.node import Node

if TYPE_CHECKING:
    from schema.application import Application
    from schema.catalogue import Authority

ApplicationRef = Annotated["Application", strawberry.lazy("schema.application")]
AuthorityRef = Annotated["Authority", strawberry.lazy("schema.catalogue")]

StatementStatus = DomainStatus
strawberry.enum(StatementStatus, description="Where a statement request is.")
describe(
    StatementStatus,
    {
        "OPEN": "Waiting for the asked authority's statement.",
        "ANSWERED": "The statement has been given.",
        "DECLINED": "The asked authority declined to give a statement.",
        "CANCELLED": "The application got its final status while the request was open.",
    },
)


@strawberry.type(
    description="A handling authority's request for another authority's statement on an "
    "application. Its texts are for the two authorities, and for the customer and the "
    "co-authorities once the handling authority shares them."
)
class StatementRequest(Node):
    id: relay.NodeID[int]
    status: StatementStatus = strawberry.field(description="Where the request is.")
    due_date: date = strawberry.field(description="The statement is asked for by this day.")
    requested_at: datetime = strawberry.field(description="When it was asked.")
    requested_by_name: str = strawberry.field(description="Who asked (a handler or system).")
    answered_at: datetime | None = strawberry.field(
        description="When the statement came (or was declined, or the request cancelled)."
    )
    answered_by_name: str | None = strawberry.field(description="Who answered or declined.")
    is_shared_with_customer: bool = strawberry.field(
        description="The handling authority has shared the texts with the customer."
    )
    row: strawberry.Private[Row]
    facts: strawberry.Private[StatementFacts]
    app_facts: strawberry.Private[ApplicationFacts]
    project: strawberry.Private[ProjectFacts]

    @classmethod
    def from_row(cls, row: Row, app: ApplicationFacts, project: ProjectFacts) -> Self:
        return cls(
            id=row["id"],
            status=DomainStatus(row["status"]),
            due_date=row["due_date"],
            requested_at=row["created_at"],
            requested_by_name=row["requested_by_label"],
            answered_at=row["answered_at"],
            answered_by_name=row["answered_by_label"],
            is_shared_with_customer=row["is_shared_with_customer"],
            row=row,
            facts=StatementFacts.from_row(row),
            app_facts=app,
            project=project,
        )

    def _text(self, info: Info, value: str | None) -> str | None:
        viewer = info.context.viewer
        readable = policies.can_read_statement_text(
            viewer, self.facts, self.app_facts, self.project
        )
        return value if readable else None

    @strawberry.field(
        description="What the handling authority asks; null unless the viewer may read the texts."
    )
    def question(self, info: Info) -> str | None:
        return self._text(info, self.row["question"])

    @strawberry.field(description="The statement; null until given, or unless readable.")
    def answer(self, info: Info) -> str | None:
        return self._text(info, self.row["answer"])

    @strawberry.field(description="Why the statement was declined, if said; as `answer`.")
    def decline_reason(self, info: Info) -> str | None:
        return self._text(info, self.row["decline_reason"])

    @strawberry.field(description="True while open and past its due date.")
    def is_overdue(self) -> bool:
        return self.facts.is_open and self.row["due_date"] < datetime.now(UTC).date()

    @strawberry.field(description="True when the viewer may read the question and the answer.")
    def viewer_can_read_texts(self, info: Info) -> bool:
        return policies.can_read_statement_text(
            info.context.viewer, self.facts, self.app_facts, self.project
        )

    @strawberry.field(
        description="True when the viewer may answer or decline (the asked authority)."
    )
    def viewer_can_answer(self, info: Info) -> bool:
        return policies.can_answer_statement(info.context.viewer, self.facts)

    @strawberry.field(
        description="True when the viewer may share the texts (the handling authority)."
    )
    def viewer_can_share(self, info: Info) -> bool:
        return policies.can_share_statement(info.context.viewer, self.facts)

    @strawberry.field(description="The application the statement is about.")
    async def application(self, info: Info) -> ApplicationRef:
        from schema.application import Application

        row = await info.context.loaders.application.load(self.row["application_id"])
        assert row is not None
        return Application.from_row(row)

    @strawberry.field(description="The authority that asked (the handling authority).")
    async def requesting_authority(self, info: Info) -> AuthorityRef:
        return await _authority(info, self.row["requesting_authority_id"])

    @strawberry.field(description="The authority asked for the statement.")
    async def asked_authority(self, info: Info) -> AuthorityRef:
        return await _authority(info, self.row["asked_authority_id"])

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[StatementRequest | None]:
        return [await visible_statement(info, local_id(i) or 0) for i in node_ids]


async def _authority(info: Info, authority_id: int) -> Authority:
    from schema.catalogue import Authority

    row = await info.context.loaders.organisation.load(authority_id)
    assert row is not None
    return Authority.from_row(row)


async def statements_of(info: Info, app_row: Row) -> list[StatementRequest]:
    """The requests on an application that the viewer may see, oldest first."""
    project = await info.context.loaders.project_facts(app_row["project_id"])
    if project is None:
        return []
    app = ApplicationFacts.from_row(app_row)
    rows = await info.context.loaders.statements_of(app_row["project_id"], app_row["id"])
    viewer = info.context.viewer
    return [
        StatementRequest.from_row(r, app, project)
        for r in rows
        if policies.can_see_statement(viewer, StatementFacts.from_row(r), app, project)
    ]


async def visible_statement(info: Info, statement_id: int) -> StatementRequest | None:
    row = await info.context.loaders.statement.load(statement_id)
    # a missing request does the work of a hidden one (the facts of "application 0")
    app_row = await info.context.loaders.application.load(row["application_id"] if row else 0)
    project = await info.context.loaders.project_facts(row["project_id"] if row else 0)
    if row is None or app_row is None or project is None:
        return None
    app = ApplicationFacts.from_row(app_row)
    if not policies.can_see_application(info.context.viewer, app, project):
        return None
    if not policies.can_see_statement(
        info.context.viewer, StatementFacts.from_row(row), app, project
    ):
        return None
    return StatementRequest.from_row(row, app, project)
