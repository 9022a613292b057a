"""GraphQL enums, made from the domain enums (one source of truth in models/)."""

from __future__ import annotations

import strawberry

from models import enums
from models.statuses import LABELS, ApplicationStatus as DomainApplicationStatus

ApplicationStatus = strawberry.enum(
    DomainApplicationStatus,
    name="ApplicationStatus",
    description=(
        "Processing status of an application. DRAFT before submission; NOT_STARTED, "
        "IN_PROGRESS and INFORMATION_REQUESTED while open; the rest are final."
    ),
)
for _value in ApplicationStatus.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = LABELS[DomainApplicationStatus(_value.value)]["en"]

Channel = strawberry.enum(
    enums.Channel,
    description="How an application reaches its authority: API (the authority's own system) "
    "or LIGHT (the authority handles it in Luukku).",
)
Certainty = strawberry.enum(
    enums.Certainty, description="How sure the permit-needs survey is that a permit is needed."
)
OrganisationKind = strawberry.enum(enums.OrganisationKind, description="Kind of organisation.")
AuthorityScope = strawberry.enum(
    enums.AuthorityScope,
    description="LOCAL authorities serve listed municipalities; NATIONAL ones the whole "
    "country except Åland.",
)
Role = strawberry.enum(enums.Role, description="A person's role in an organisation.")
ApplicationOrigin = strawberry.enum(
    enums.ApplicationOrigin,
    description="Whether an application was added from survey suggestions or by hand.",
)
QuestionType = strawberry.enum(enums.QuestionType, description="Answer type of a survey question.")
Language = strawberry.enum(
    enums.Language, description="A language of the service: Finnish, Swedish or English."
)
