"""The public catalogue: municipalities, authorities, service bundles and permit types."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from models.confidential import confidential_paths
from models.enums import AuthorityScope as DomainScope
from models.ids import local_id
from models.settings import get_settings
from permissions.fields import IsMemberOfAuthority, restricted
from resolvers.catalogue_cache import catalogue_cache
from resolvers.context import Info
from resolvers.loaders import Row
from schema.attachment import AttachmentRequirement
from schema.common import LocalizedText
from schema.enums import AuthorityScope, Certainty, Channel, QuestionType
from schema.node import Node

if TYPE_CHECKING:
    from schema.identity import Person
    from schema.statistics import ProcessingStatistics

PersonRef = Annotated["Person", strawberry.lazy("schema.identity")]
ProcessingStatisticsRef = Annotated["ProcessingStatistics", strawberry.lazy("schema.statistics")]


@strawberry.type(description="A Finnish municipality (Statistics Finland code).")
class Municipality:
    code: str = strawberry.field(description="Three-digit municipality code, e.g. 091.")
    name: LocalizedText = strawberry.field(description="Name of the municipality.")
    is_aland: bool = strawberry.field(description="True for municipalities of Åland.")

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(code=row["code"], name=LocalizedText.of(row["name"]), is_aland=row["is_aland"])


async def _nodes(info: Info, node_ids: Iterable[str], loader_name: str, build: Any) -> list[Any]:
    loader = getattr(info.context.loaders, loader_name)
    ids = [local_id(str(i)) or 0 for i in node_ids]
    rows = await loader.load_many(ids)
    return [None if row is None else build(row) for row in rows]


@strawberry.type(description="An authority (viranomainen): a municipal unit or a national agency.")
class Authority(Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(description="Stable short code of the authority.")
    name: LocalizedText = strawberry.field(description="Name of the authority.")
    business_id: str | None = strawberry.field(description="Business ID (Y-tunnus), when known.")
    scope: AuthorityScope = strawberry.field(description="Local or national.")
    municipality_codes: strawberry.Private[list[str]]

    @strawberry.field(
        description="The authority's handlers and admins (for assigning applications); visible "
        "to its own staff, empty for others.",
        extensions=restricted(IsMemberOfAuthority()),
    )
    async def handlers(self, info: Info) -> list[PersonRef]:
        from schema.identity import Person

        rows = await info.context.loaders.staff_by_authority.load(self.id)
        return [Person.from_row(r) for r in rows]

    @strawberry.field(description="Municipalities a LOCAL authority serves (empty for NATIONAL).")
    async def municipalities(self, info: Info) -> list[Municipality]:
        rows = await info.context.loaders.municipality.load_many(self.municipality_codes)
        return [Municipality.from_row(r) for r in rows if r is not None]

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            code=row["code"] or "",
            name=LocalizedText.of(row["name"]),
            business_id=row["business_id"],
            scope=DomainScope(row["scope"]),
            municipality_codes=list(row["municipalities"] or []),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        def build(row: Row) -> Self | None:
            return cls.from_row(row) if row["kind"] == "AUTHORITY" else None

        return await _nodes(info, node_ids, "organisation", build)


@strawberry.type(description="One answer option of a CHOICE question.")
class SurveyChoice:
    value: str = strawberry.field(description="The value to send as the answer.")
    label: LocalizedText = strawberry.field(description="Text shown to the user.")


@strawberry.type(description="A question of a service bundle's permit-needs survey.")
class SurveyQuestion:
    question_id: str = strawberry.field(
        description="Id to answer with (`SurveyAnswerInput.questionId`)."
    )
    type: QuestionType = strawberry.field(description="Type of the answer.")
    is_required: bool = strawberry.field(description="Must be answered when asked.")
    text: LocalizedText = strawberry.field(description="The question.")
    help: LocalizedText | None = strawberry.field(description="Guidance for answering.")
    minimum: float | None = strawberry.field(description="NUMBER: smallest allowed value.")
    maximum: float | None = strawberry.field(description="NUMBER: largest allowed value.")
    is_integer: bool = strawberry.field(description="NUMBER: only whole numbers.")
    choices: list[SurveyChoice] = strawberry.field(description="CHOICE: the options.")
    ask_if: JSON | None = strawberry.field(
        description="Condition (data, see FORMAT.md) on earlier answers; ask only when it holds."
    )

    @classmethod
    def from_data(cls, q: dict[str, Any]) -> Self:
        return cls(
            question_id=q["id"],
            type=q["type"],
            is_required=bool(q.get("required", False)),
            text=LocalizedText.of(q["text"]),
            help=LocalizedText.maybe(q.get("help")),
            minimum=q.get("min"),
            maximum=q.get("max"),
            is_integer=bool(q.get("integer", False)),
            choices=[
                SurveyChoice(value=c["value"], label=LocalizedText.of(c["label"]))
                for c in q.get("choices", [])
            ],
            ask_if=q.get("askIf"),
        )


@strawberry.type(description="A service bundle (palvelukokonaisuus), e.g. renewable energy.")
class ServiceBundle(Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(description="Stable short code, e.g. public-event.")
    name: LocalizedText = strawberry.field(description="Name of the bundle.")
    description: LocalizedText = strawberry.field(description="What the bundle covers.")
    questions: list[SurveyQuestion] = strawberry.field(
        description="The permit-needs survey, in the order to ask."
    )

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            code=row["code"],
            name=LocalizedText.of(row["name"]),
            description=LocalizedText.of(row["description"]),
            questions=[SurveyQuestion.from_data(q) for q in row["questions"]],
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        return await _nodes(info, node_ids, "bundle", cls.from_row)


@strawberry.type(description="A kind of permit, whoever issues it (e.g. the rescue plan).")
class PermitKind(Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(description="Stable short code of the kind.")
    name: LocalizedText = strawberry.field(description="Name of the kind.")
    description: LocalizedText = strawberry.field(description="What the permit is for.")
    requires_codes: strawberry.Private[list[str]]

    @strawberry.field(
        description="Kinds whose decision an application of this kind needs before it is "
        "submitted (the permit plan's dependencies)."
    )
    async def requires(self, info: Info) -> list[PermitKind]:
        snapshot = await catalogue_cache.get()
        by_code = {row["code"]: row for row in snapshot.permit_kinds.values()}
        return [PermitKind.from_row(by_code[c]) for c in self.requires_codes if c in by_code]

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            code=row["code"],
            name=LocalizedText.of(row["name"]),
            description=LocalizedText.of(row["description"]),
            requires_codes=list(row.get("requires") or []),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        return await _nodes(info, node_ids, "permit_kind", cls.from_row)


@strawberry.type(description="A permit as one authority offers it: what a customer applies for.")
class PermitType(Node):
    id: relay.NodeID[int]
    code: str = strawberry.field(description="Stable short code of the permit type.")
    name: LocalizedText = strawberry.field(description="Name of the permit.")
    description: LocalizedText = strawberry.field(description="What the permit is for.")
    channel: Channel = strawberry.field(description="How applications reach the authority.")
    notification_email: str = strawberry.field(
        description="Where the authority is notified of new applications."
    )
    processing_days: int = strawberry.field(description="Typical processing time in days.")
    lead_time_days: int | None = strawberry.field(
        description="Days before the project starts by which to apply, where the law sets it."
    )
    legal_basis: LocalizedText | None = strawberry.field(description="The act and section.")
    ptv_service_id: str = strawberry.field(
        description="Id of the service in the national service catalogue (PTV)."
    )
    form_schema: JSON = strawberry.field(
        description="JSON Schema (2020-12) of the permit-specific form content."
    )
    required_shared_data: list[str] = strawberry.field(
        description="Sections of the project's shared data this permit needs at submission."
    )
    service_bundle_codes: list[str] = strawberry.field(
        description="Codes of the service bundles that list this permit."
    )
    attachment_types: list[str] = strawberry.field(
        description="Content types accepted for files that meet no requirement (messages, "
        "decisions, other files); decided from each file's content."
    )
    kind_id: strawberry.Private[int]
    authority_id: strawberry.Private[int]
    row: strawberry.Private[Row]

    @strawberry.field(
        description="Dotted paths of the form's confidential fields (`x-confidential`; `*` is "
        "every item of an array): only the handling authority and the customer see them."
    )
    def confidential_fields(self) -> list[str]:
        return [".".join(path) for path in confidential_paths(self.row["form_schema"])]

    requirements: strawberry.Private[list[dict[str, Any]]]

    @strawberry.field(
        description="The attachments this permit asks for; required ones must be attached "
        "to the draft before it can be submitted."
    )
    def attachment_requirements(self) -> list[AttachmentRequirement]:
        return [AttachmentRequirement.from_dict(r) for r in self.requirements]

    @strawberry.field(description="Link that starts a new project with this permit (for PTV).")
    def deep_link(self) -> str:
        return f"{get_settings().customer_ui_url}/start?service={self.ptv_service_id}"

    @strawberry.field(
        description="How long its authority takes with it, from the status history "
        "(see `Query.processingStatistics`)."
    )
    async def processing_statistics(self) -> ProcessingStatisticsRef:
        from actions.statistics import snapshot
        from schema.statistics import ProcessingStatistics

        return ProcessingStatistics.of(await snapshot(), self.row)

    @strawberry.field(description="The kind of permit.")
    async def kind(self, info: Info) -> PermitKind:
        row = await info.context.loaders.permit_kind.load(self.kind_id)
        assert row is not None
        return PermitKind.from_row(row)

    @strawberry.field(description="The authority that issues this permit.")
    async def authority(self, info: Info) -> Authority:
        row = await info.context.loaders.organisation.load(self.authority_id)
        assert row is not None
        return Authority.from_row(row)

    @classmethod
    def from_row(cls, row: Row) -> Self:
        return cls(
            id=row["id"],
            code=row["code"],
            name=LocalizedText.of(row["name"]),
            description=LocalizedText.of(row["description"]),
            channel=row["channel"],
            notification_email=row["notification_email"],
            processing_days=row["processing_days"],
            lead_time_days=row["lead_time_days"],
            legal_basis=LocalizedText.maybe(row["legal_basis"]),
            ptv_service_id=row["ptv_service_id"],
            form_schema=row["form_schema"],
            required_shared_data=list(row["required_shared_data"]),
            service_bundle_codes=list(row["bundles"]),
            attachment_types=list(row.get("attachment_types") or []),
            kind_id=row["kind_id"],
            authority_id=row["authority_id"],
            row=row,
            requirements=list(row.get("attachment_requirements") or []),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one signature for the 3 overloads
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        return await _nodes(info, node_ids, "permit_type", cls.from_row)


@strawberry.type(description="A permit the survey suggests, with where and by when to apply.")
class PermitSuggestion:
    certainty: Certainty = strawberry.field(description="CERTAIN or POSSIBLE.")
    reasons: list[LocalizedText] = strawberry.field(description="Why the permit is suggested.")
    lead_time_days: int | None = strawberry.field(
        description="Statutory lead time before the project starts, in days, if any."
    )
    latest_application_date: date | None = strawberry.field(
        description="Last day to apply given the project's start date and the lead time."
    )
    recommended_application_date: date | None = strawberry.field(
        description="Apply by this day to allow the typical processing time before the start."
    )
    kind_row: strawberry.Private[Row]
    permit_type_row: strawberry.Private[Row | None]

    @strawberry.field(description="The kind of permit needed.")
    def permit_kind(self) -> PermitKind:
        return PermitKind.from_row(self.kind_row)

    @strawberry.field(
        description="The permit type to apply for in the municipality; null if no authority "
        "offers it through Luukku there."
    )
    def permit_type(self) -> PermitType | None:
        return None if self.permit_type_row is None else PermitType.from_row(self.permit_type_row)

    @strawberry.field(description="The competent authority for the municipality, if offered.")
    async def authority(self, info: Info) -> Authority | None:
        if self.permit_type_row is None:
            return None
        row = await info.context.loaders.organisation.load(self.permit_type_row["authority_id"])
        return None if row is None else Authority.from_row(row)

    @strawberry.field(description="How the application would reach the authority, if offered.")
    def channel(self) -> Channel | None:
        return None if self.permit_type_row is None else self.permit_type_row["channel"]
