"""Catalogue queries: public, no sign-in needed."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from actions.catalogue import offered_permit_types, permit_needs
from models import CatalogueDocument, Organisation
from models import Municipality as MunicipalityModel
from models import PermitType as PermitTypeModel
from models import ServiceBundle as BundleModel
from models.catalogue import SHARED_DATA_SCHEMA, authority_serves
from models.enums import OrganisationKind
from models.survey import Answer
from models.validation import is_municipality_code
from resolvers.context import Info
from resolvers.errors import run_action
from schema.catalogue import (
    Authority,
    Municipality,
    PermitSuggestion,
    PermitType,
    ServiceBundle,
)
from schema.common import (
    After,
    Connection,
    First,
    LocalizedText,
    UserError,
    connection,
    paginate_by_id,
    top_level_error,
)
from schema.enums import Channel
from schema.node import decode_id


@strawberry.input(
    one_of=True, description="The answer to one survey question; give exactly one of these."
)
class SurveyAnswerValueInput:
    boolean: bool | None = strawberry.field(
        default=strawberry.UNSET, description="For BOOLEAN questions."
    )
    number: float | None = strawberry.field(
        default=strawberry.UNSET, description="For NUMBER questions."
    )
    choice: str | None = strawberry.field(
        default=strawberry.UNSET, description="For CHOICE questions: one of `choices.value`."
    )


@strawberry.input(description="An answer to a permit-needs survey question.")
class SurveyAnswerInput:
    question_id: str = strawberry.field(description="`SurveyQuestion.questionId`.")
    value: SurveyAnswerValueInput = strawberry.field(description="The typed answer.")


def answers_of(inputs: list[SurveyAnswerInput]) -> list[tuple[str, Answer]]:
    result: list[tuple[str, Answer]] = []
    for item in inputs:
        value = item.value
        if value.boolean is not strawberry.UNSET and value.boolean is not None:
            result.append((item.question_id, bool(value.boolean)))
        elif value.number is not strawberry.UNSET and value.number is not None:
            result.append((item.question_id, float(value.number)))
        elif value.choice is not strawberry.UNSET and value.choice is not None:
            result.append((item.question_id, str(value.choice)))
    return result


@strawberry.input(description="Filters for permit types; all given filters must match.")
class PermitTypeFilter:
    municipality_code: str | None = strawberry.field(
        default=None, description="Only permit types offered in this municipality."
    )
    service_bundle_code: str | None = strawberry.field(
        default=None, description="Only permit types listed in this service bundle."
    )
    ptv_service_id: str | None = strawberry.field(
        default=None, description="Only the permit type with this PTV service id (deep links)."
    )
    channel: Channel | None = strawberry.field(default=None, description="Only this channel.")


@strawberry.input(description="Answers to a service bundle's permit-needs survey.")
class PermitNeedsInput:
    service_bundle_id: strawberry.ID = strawberry.field(description="The service bundle.")
    municipality_code: str = strawberry.field(description="The project's main municipality.")
    starts_on: date | None = strawberry.field(
        default=None, description="The project's start date, for the latest dates to apply."
    )
    answers: list[SurveyAnswerInput] = strawberry.field(description="The answers.")


@strawberry.type(description="The survey's result: suggested permits, or what to fix.")
class PermitNeedsResult:
    suggestions: list[PermitSuggestion] = strawberry.field(
        description="Suggested permits, CERTAIN ones first."
    )
    user_errors: list[UserError] = strawberry.field(description="Problems with the answers.")


def checked_municipality_code(value: str | None, argument: str) -> None:
    """A filter's municipality code is three digits, or a BAD_USER_INPUT error (before any
    query: the column holds three characters)."""
    if value is not None and not is_municipality_code(value):
        raise top_level_error(
            "BAD_USER_INPUT", f"`{argument}` must be a three-digit municipality code."
        )


async def service_bundles() -> list[ServiceBundle]:
    rows = await BundleModel.all().order_by("sort_order", "id").values()
    return [ServiceBundle.from_row(r) for r in rows]


async def shared_data_schema() -> JSON:
    """The catalogue's JSON Schema of a project's shared data (forms render it)."""
    rows = await CatalogueDocument.filter(key=SHARED_DATA_SCHEMA).values("document")
    return JSON(rows[0]["document"] if rows else {"type": "object"})


async def municipalities() -> list[Municipality]:
    rows = await MunicipalityModel.all().order_by("code").values()
    return [Municipality.from_row(r) for r in rows]


async def authorities(
    info: Info,
    municipality_code: Annotated[
        str | None, strawberry.argument(description="Only authorities serving this municipality.")
    ] = None,
    first: First = None,
    after: After = None,
) -> Connection[Authority]:
    checked_municipality_code(municipality_code, "municipalityCode")
    rows = await Organisation.filter(kind=OrganisationKind.AUTHORITY).order_by("id").values()
    if municipality_code is not None:
        municipality = await MunicipalityModel.filter(code=municipality_code).values()
        rows = [
            r
            for r in rows
            if municipality
            and authority_serves(
                r["scope"], r["municipalities"], municipality_code, municipality[0]["is_aland"]
            )
        ]
    page = paginate_by_id(rows, lambda r: r["id"], first, after)
    return connection(page, len(rows), Authority.from_row, lambda r: [r["id"]])


async def permit_types(
    info: Info,
    filter: Annotated[
        PermitTypeFilter | None, strawberry.argument(description="Which permit types to list.")
    ] = None,
    first: First = None,
    after: After = None,
) -> Connection[PermitType]:
    if filter is not None:
        checked_municipality_code(filter.municipality_code, "filter.municipalityCode")
    if filter is not None and filter.municipality_code is not None:
        found = await MunicipalityModel.filter(code=filter.municipality_code).values()
        rows = await offered_permit_types(found[0]) if found else []
        rows = sorted(rows, key=lambda r: r["id"])
    else:
        rows = await PermitTypeModel.all().order_by("id").values()
    if filter is not None:
        if filter.service_bundle_code is not None:
            rows = [r for r in rows if filter.service_bundle_code in r["bundles"]]
        if filter.ptv_service_id is not None:
            rows = [r for r in rows if r["ptv_service_id"] == filter.ptv_service_id]
        if filter.channel is not None:
            rows = [r for r in rows if r["channel"] == filter.channel]
    page = paginate_by_id(rows, lambda r: r["id"], first, after)
    return connection(page, len(rows), PermitType.from_row, lambda r: [r["id"]])


async def permit_needs_query(
    info: Info,
    input: Annotated[PermitNeedsInput, strawberry.argument(description="The survey answers.")],
) -> PermitNeedsResult:
    suggestions, errors = await run_action(
        info,
        lambda: permit_needs(
            decode_id(input.service_bundle_id, "ServiceBundle", ["serviceBundleId"]),
            input.municipality_code,
            input.starts_on,
            answers_of(input.answers),
        ),
    )
    return PermitNeedsResult(
        suggestions=[
            PermitSuggestion(
                certainty=s.certainty,
                reasons=[LocalizedText.of(r) for r in s.reasons],
                lead_time_days=s.lead_time_days,
                latest_application_date=s.latest_application_date,
                recommended_application_date=s.recommended_application_date,
                kind_row=s.kind,
                permit_type_row=s.permit_type,
            )
            for s in suggestions or []
        ],
        user_errors=errors,
    )


@strawberry.type
class CatalogueQuery:
    """Query fields of this area: the public catalogue and the permit-needs survey."""

    service_bundles: list[ServiceBundle] = strawberry.field(
        resolver=service_bundles,
        description="The service bundles (e.g. renewable energy, public event).",
    )
    shared_data_schema: JSON = strawberry.field(
        resolver=shared_data_schema,
        description="JSON Schema (2020-12) of a project's shared data, given once for all its "
        "applications (`Project.sharedData`); its `x-label` annotations are the labels in fi, sv and en.",
    )
    municipalities: list[Municipality] = strawberry.field(
        resolver=municipalities,
        description="Municipalities Luukku knows.",
        metadata={"list_size": 400},  # for the cost limit (schema/limits.py): all of Finland
    )
    authorities: Connection[Authority] = strawberry.field(
        resolver=authorities,
        description="Authorities, optionally only those serving a municipality.",
    )
    permit_types: Connection[PermitType] = strawberry.field(
        resolver=permit_types, description="The permit catalogue."
    )
    permit_needs: PermitNeedsResult = strawberry.field(
        resolver=permit_needs_query,
        description="The permit-needs survey: which permits the answers call for, where and by when.",
    )
