"""The application status model, as data, in one place.

States, their labels in fi/sv/en, which are final, the allowed transitions, which action
makes each transition and which side (customer or authority) may make it. Everything
else (actions, GraphQL enums, the permission matrix) reads from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ApplicationStatus(StrEnum):
    DRAFT = "DRAFT"
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    INFORMATION_REQUESTED = "INFORMATION_REQUESTED"
    APPROVED = "APPROVED"
    PARTIALLY_APPROVED = "PARTIALLY_APPROVED"
    REJECTED = "REJECTED"
    DISMISSED = "DISMISSED"
    WITHDRAWN = "WITHDRAWN"
    LAPSED = "LAPSED"
    TRANSFERRED = "TRANSFERRED"
    NOT_REQUIRED = "NOT_REQUIRED"
    PROCESSED = "PROCESSED"


class Side(StrEnum):
    """Who may make a transition: the customer's representatives or the addressed authority."""

    CUSTOMER = "CUSTOMER"
    AUTHORITY = "AUTHORITY"


class Via(StrEnum):
    """The action through which a transition happens."""

    SUBMIT = "SUBMIT"
    WITHDRAW = "WITHDRAW"
    STATUS_UPDATE = "STATUS_UPDATE"
    SUPPLEMENT_REQUEST = "SUPPLEMENT_REQUEST"
    SUPPLEMENT_SUBMIT = "SUPPLEMENT_SUBMIT"
    DECISION = "DECISION"


S = ApplicationStatus

LABELS: dict[ApplicationStatus, dict[str, str]] = {
    S.DRAFT: {"fi": "Luonnos", "sv": "Utkast", "en": "Draft"},
    S.NOT_STARTED: {"fi": "Aloittamatta", "sv": "Inte påbörjad", "en": "Not started"},
    S.IN_PROGRESS: {"fi": "Käsittelyssä", "sv": "Under behandling", "en": "In processing"},
    S.INFORMATION_REQUESTED: {
        "fi": "Lisätietoja tarvitaan",
        "sv": "Tilläggsuppgifter behövs",
        "en": "More information needed",
    },
    S.APPROVED: {"fi": "Hyväksytty", "sv": "Godkänd", "en": "Approved"},
    S.PARTIALLY_APPROVED: {
        "fi": "Osittain hyväksytty",
        "sv": "Delvis godkänd",
        "en": "Partially approved",
    },
    S.REJECTED: {"fi": "Hylätty", "sv": "Avslagen", "en": "Rejected"},
    S.DISMISSED: {
        "fi": "Jätetty tutkimatta",
        "sv": "Avvisad",
        "en": "Dismissed without examination",
    },
    S.WITHDRAWN: {"fi": "Peruttu", "sv": "Återtagen", "en": "Withdrawn by the customer"},
    S.LAPSED: {"fi": "Rauennut", "sv": "Förfallen", "en": "Lapsed"},
    S.TRANSFERRED: {
        "fi": "Siirretty toiselle viranomaiselle",
        "sv": "Överförd till en annan myndighet",
        "en": "Transferred to another authority",
    },
    S.NOT_REQUIRED: {
        "fi": "Lupaa ei tarvita",
        "sv": "Tillstånd behövs inte",
        "en": "Permit not required",
    },
    S.PROCESSED: {"fi": "Käsitelty", "sv": "Behandlad", "en": "Processed"},
}

FINAL: frozenset[ApplicationStatus] = frozenset(
    {
        S.APPROVED,
        S.PARTIALLY_APPROVED,
        S.REJECTED,
        S.DISMISSED,
        S.WITHDRAWN,
        S.LAPSED,
        S.TRANSFERRED,
        S.NOT_REQUIRED,
        S.PROCESSED,
    }
)

#: Final statuses an authority gives with a decision (withdrawal is the customer's).
DECISION_OUTCOMES: frozenset[ApplicationStatus] = FINAL - {S.WITHDRAWN}


@dataclass(frozen=True)
class Transition:
    source: ApplicationStatus
    target: ApplicationStatus
    side: Side
    via: Via


def _build() -> tuple[Transition, ...]:
    rows: list[Transition] = [
        Transition(S.DRAFT, S.NOT_STARTED, Side.CUSTOMER, Via.SUBMIT),
        Transition(S.NOT_STARTED, S.IN_PROGRESS, Side.AUTHORITY, Via.STATUS_UPDATE),
        Transition(S.IN_PROGRESS, S.INFORMATION_REQUESTED, Side.AUTHORITY, Via.SUPPLEMENT_REQUEST),
        Transition(S.INFORMATION_REQUESTED, S.IN_PROGRESS, Side.CUSTOMER, Via.SUPPLEMENT_SUBMIT),
        # The handler may also resume processing without a supplement (e.g. the
        # information arrived by phone); the open request is then closed unanswered.
        Transition(S.INFORMATION_REQUESTED, S.IN_PROGRESS, Side.AUTHORITY, Via.STATUS_UPDATE),
    ]
    for source in (S.DRAFT, S.NOT_STARTED, S.IN_PROGRESS, S.INFORMATION_REQUESTED):
        rows.append(Transition(source, S.WITHDRAWN, Side.CUSTOMER, Via.WITHDRAW))
    for source in (S.NOT_STARTED, S.IN_PROGRESS, S.INFORMATION_REQUESTED):
        for outcome in sorted(DECISION_OUTCOMES):
            rows.append(Transition(source, outcome, Side.AUTHORITY, Via.DECISION))
    return tuple(rows)


TRANSITIONS: tuple[Transition, ...] = _build()
_INDEX: dict[tuple[ApplicationStatus, ApplicationStatus, Side, Via], Transition] = {
    (t.source, t.target, t.side, t.via): t for t in TRANSITIONS
}


def is_final(status: ApplicationStatus) -> bool:
    return status in FINAL


def find_transition(
    source: ApplicationStatus, target: ApplicationStatus, side: Side, via: Via
) -> Transition | None:
    return _INDEX.get((source, target, side, via))
