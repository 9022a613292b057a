"""The plain facts the policies decide on. No ORM, no I/O: built by loaders, used by policies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.enums import member
from models.statuses import ApplicationStatus


@dataclass(frozen=True)
class Viewer:
    """Who is asking, and for whom they may act."""

    person_id: int | None = None
    name: str = ""
    language: str = "fi"
    #: companies and associations the person represents
    represented: frozenset[int] = frozenset()
    #: authorities where the person is a handler (or an admin, who also handles)
    handler_of: frozenset[int] = frozenset()
    #: authorities where the person is an admin
    admin_of: frozenset[int] = frozenset()
    #: set for an authority system's API token: the authority it acts for
    system_authority_id: int | None = None
    is_operator: bool = False
    token_id: int | None = None
    #: request headers of Suomi.fi-palveluväylä (X-Road), when present
    xroad: dict[str, str] = field(default_factory=dict, compare=False)
    #: when the token stops being valid (live connections close then)
    expires_at: datetime | None = field(default=None, compare=False)
    #: the browser session (signed in at /auth/login), when the viewer has one
    session_id: int | None = None
    #: organisations the person's mandates allow acting for (session viewers); `represented`
    #: holds only the one chosen for the session, while its mandate holds
    may_act_for: frozenset[int] = frozenset()
    #: the organisation chosen for the session (None: acting personally)
    acting_for: int | None = None
    #: how the viewer's rights were established (mandate service and roles, mapping rule,
    #: token), recorded in the audit log; never a personal identity code
    basis: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def is_authenticated(self) -> bool:
        return self.person_id is not None or self.system_authority_id is not None

    @property
    def acting_authorities(self) -> frozenset[int]:
        """Authorities on whose behalf this viewer handles applications."""
        if self.system_authority_id is not None:
            return self.handler_of | {self.system_authority_id}
        return self.handler_of

    @property
    def is_authority_user(self) -> bool:
        return bool(self.acting_authorities)


ANONYMOUS = Viewer()


@dataclass(frozen=True)
class ApplicationFacts:
    id: int
    project_id: int
    authority_id: int
    status: ApplicationStatus
    is_shared: bool
    is_submitted: bool
    assigned_to_id: int | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ApplicationFacts:
        """From an application row (`.values()` of models.Application)."""
        return cls(
            id=row["id"],
            project_id=row["project_id"],
            authority_id=row["authority_id"],
            status=member(ApplicationStatus, row["status"]),
            is_shared=row["is_shared"],
            is_submitted=row["submitted_at"] is not None,
            assigned_to_id=row.get("assigned_to_id"),
        )


@dataclass(frozen=True)
class StatementFacts:
    """A statement request between authorities on one application."""

    id: int
    application_id: int
    requesting_authority_id: int
    asked_authority_id: int
    is_open: bool
    is_shared_with_customer: bool = False

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> StatementFacts:
        """From a statement request row (`.values()` of models.StatementRequest)."""
        return cls(
            id=row["id"],
            application_id=row["application_id"],
            requesting_authority_id=row["requesting_authority_id"],
            asked_authority_id=row["asked_authority_id"],
            is_open=row["status"] == "OPEN",
            is_shared_with_customer=row["is_shared_with_customer"],
        )


@dataclass(frozen=True)
class ProjectFacts:
    id: int
    owner_person_id: int | None
    owner_organisation_id: int | None
    #: authorities with at least one submitted or shared application in the project
    involved_authorities: frozenset[int]
    #: statement requests on the project's applications, whatever their status
    statements: tuple[StatementFacts, ...] = ()

    @property
    def statement_authorities(self) -> frozenset[int]:
        """Authorities asked for a statement on some application of the project."""
        return frozenset(s.asked_authority_id for s in self.statements)


@dataclass(frozen=True)
class DecisionFacts:
    application_id: int
    authority_id: int
    is_shared: bool


@dataclass(frozen=True)
class ThreadFacts:
    id: int
    project_id: int
    #: None for the project thread (customer ↔ all involved authorities)
    application: ApplicationFacts | None
