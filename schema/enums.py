"""GraphQL enums, made from the domain enums (one source of truth in models/).

Each name is the domain enum itself: `strawberry.enum(X, ...)` marks the class and returns
it, and a plain `X = DomainX` keeps it usable as a type for mypy (a call's result is not).
"""

from __future__ import annotations

from typing import Any

import strawberry

from models import enums
from models.statuses import LABELS
from models.statuses import ApplicationStatus as DomainApplicationStatus

ApplicationStatus = DomainApplicationStatus
strawberry.enum(
    ApplicationStatus,
    name="ApplicationStatus",
    description=(
        "Processing status of an application. DRAFT before submission; NOT_STARTED, "
        "IN_PROGRESS and INFORMATION_REQUESTED while open; the rest are final."
    ),
)


def describe(enum: Any, descriptions: dict[str, str]) -> None:
    """Give every value of a Strawberry enum its description."""
    definition = enum.__strawberry_definition__
    for value in definition.values:
        value.description = descriptions[value.name]


describe(ApplicationStatus, {s.name: LABELS[s]["en"] for s in DomainApplicationStatus})

Channel = enums.Channel
strawberry.enum(
    Channel,
    description="How an application reaches its authority: API (the authority's own system) "
    "or LIGHT (the authority handles it in Luukku).",
)
Certainty = enums.Certainty
strawberry.enum(
    Certainty, description="How sure the permit-needs survey is that a permit is needed."
)
OrganisationKind = enums.OrganisationKind
strawberry.enum(OrganisationKind, description="Kind of organisation.")
AuthorityScope = enums.AuthorityScope
strawberry.enum(
    AuthorityScope,
    description="LOCAL authorities serve listed municipalities; NATIONAL ones the whole "
    "country except Åland.",
)
Role = enums.Role
strawberry.enum(Role, description="A person's role in an organisation.")
ApplicationOrigin = enums.ApplicationOrigin
strawberry.enum(
    ApplicationOrigin,
    description="Whether an application was added from survey suggestions or by hand.",
)
QuestionType = enums.QuestionType
strawberry.enum(QuestionType, description="Answer type of a survey question.")
Language = enums.Language
strawberry.enum(Language, description="A language of the service: Finnish, Swedish or English.")

describe(Language, {"FI": "Finnish.", "SV": "Swedish.", "EN": "English."})
describe(
    AuthorityScope,
    {"LOCAL": "Serves the listed municipalities.", "NATIONAL": "Serves all of Finland but Åland."},
)
describe(
    Role,
    {
        "CUSTOMER_REPRESENTATIVE": "Acts for a company or association: owns and edits its projects.",
        "AUTHORITY_HANDLER": "Handles the applications addressed to an authority.",
        "AUTHORITY_ADMIN": "Handles, assigns applications to handlers, reads the audit log.",
    },
)
describe(
    OrganisationKind,
    {"COMPANY": "A company.", "ASSOCIATION": "An association.", "AUTHORITY": "An authority."},
)
describe(
    QuestionType,
    {"BOOLEAN": "Yes or no.", "NUMBER": "A number.", "CHOICE": "One of the listed choices."},
)
describe(
    Channel,
    {
        "API": "Delivered to the authority's own system over its API.",
        "LIGHT": "Handled by the authority in Luukku (kevytasiointi).",
    },
)
describe(
    Certainty,
    {"CERTAIN": "The answers show the permit is needed.", "POSSIBLE": "The permit may be needed."},
)
describe(
    ApplicationOrigin,
    {"SURVEY": "Added from the permit-needs survey.", "MANUAL": "Added by hand."},
)
