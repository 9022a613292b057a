"""The policies as pure functions: role × status × shared, without a database."""

from __future__ import annotations

import pytest

from models.statuses import ApplicationStatus
from permissions import policies
from permissions.facts import ApplicationFacts, DecisionFacts, ProjectFacts, ThreadFacts, Viewer

S = ApplicationStatus
POLICE, RESCUE, OTHER = 10, 20, 30
COMPANY = 5

OWNER = Viewer(person_id=1, represented=frozenset({COMPANY}))
CO_REP = Viewer(person_id=2, represented=frozenset({COMPANY}))
STRANGER = Viewer(person_id=3)
POLICE_HANDLER = Viewer(person_id=4, handler_of=frozenset({POLICE}))
POLICE_ADMIN = Viewer(person_id=5, handler_of=frozenset({POLICE}), admin_of=frozenset({POLICE}))
RESCUE_HANDLER = Viewer(person_id=6, handler_of=frozenset({RESCUE}))
OTHER_HANDLER = Viewer(person_id=7, handler_of=frozenset({OTHER}))
POLICE_SYSTEM = Viewer(system_authority_id=POLICE)
ANONYMOUS = Viewer()


def app(status: S, shared: bool = False) -> ApplicationFacts:
    return ApplicationFacts(1, 1, POLICE, status, shared, status is not S.DRAFT)


def project(*apps: ApplicationFacts) -> ProjectFacts:
    rescue = ApplicationFacts(2, 1, RESCUE, S.NOT_STARTED, False, True)
    return ProjectFacts(1, None, COMPANY, policies.involved_authorities([*apps, rescue]))


CASES = [
    # status, shared, viewer, may read content
    (S.DRAFT, False, OWNER, True),
    (S.DRAFT, False, CO_REP, True),
    (S.DRAFT, False, POLICE_HANDLER, False),
    (S.DRAFT, False, RESCUE_HANDLER, False),
    (S.DRAFT, True, POLICE_HANDLER, True),
    (S.DRAFT, True, RESCUE_HANDLER, True),
    (S.DRAFT, True, POLICE_SYSTEM, True),
    (S.DRAFT, True, OTHER_HANDLER, False),
    (S.DRAFT, True, STRANGER, False),
    (S.NOT_STARTED, False, POLICE_HANDLER, True),
    (S.IN_PROGRESS, False, RESCUE_HANDLER, True),
    (S.APPROVED, False, POLICE_SYSTEM, True),
    (S.APPROVED, False, OTHER_HANDLER, False),
    (S.APPROVED, False, ANONYMOUS, False),
]


@pytest.mark.parametrize(("status", "shared", "viewer", "expected"), CASES)
def test_can_read_application_content(
    status: S, shared: bool, viewer: Viewer, expected: bool
) -> None:
    a = app(status, shared)
    assert policies.can_read_application_content(viewer, a, project(a)) is expected


def test_withdrawn_draft_is_not_visible_to_authorities() -> None:
    a = ApplicationFacts(1, 1, POLICE, S.WITHDRAWN, True, False)
    assert not policies.is_visible_to_authorities(a)
    assert not policies.can_see_project(POLICE_HANDLER, project(a))


@pytest.mark.parametrize(
    ("viewer", "shared", "expected"),
    [
        (OWNER, False, True),
        (POLICE_HANDLER, False, True),
        (RESCUE_HANDLER, False, False),
        (RESCUE_HANDLER, True, True),
        (OTHER_HANDLER, True, False),
    ],
)
def test_decisions_reach_co_authorities_only_when_shared(
    viewer: Viewer, shared: bool, expected: bool
) -> None:
    a = app(S.APPROVED)
    assert (
        policies.can_see_decision(viewer, DecisionFacts(1, POLICE, shared), a, project(a))
        is expected
    )


def test_only_persons_take_and_only_admins_assign_to_others() -> None:
    a = app(S.NOT_STARTED)
    p = project(a)
    assert policies.can_take_application(POLICE_HANDLER, a, p)
    assert not policies.can_take_application(POLICE_SYSTEM, a, p)
    assert not policies.can_take_application(RESCUE_HANDLER, a, p)
    assert policies.can_assign_to_others(POLICE_ADMIN, a)
    assert not policies.can_assign_to_others(POLICE_HANDLER, a)
    assert not policies.can_handle_application(POLICE_HANDLER, app(S.DRAFT, True), p)


def test_threads() -> None:
    a = app(S.NOT_STARTED)
    p = project(a)
    app_thread = ThreadFacts(1, 1, a)
    project_thread = ThreadFacts(2, 1, None)
    assert policies.can_post_to_thread(POLICE_HANDLER, app_thread, p)
    assert policies.can_read_thread(RESCUE_HANDLER, app_thread, p)
    assert not policies.can_post_to_thread(RESCUE_HANDLER, app_thread, p)
    assert policies.can_post_to_thread(RESCUE_HANDLER, project_thread, p)
    assert not policies.can_read_thread(OTHER_HANDLER, project_thread, p)


# --- statements between authorities and confidential fields -----------------------------------


def with_statement(is_open: bool, shared: bool = False) -> tuple[ApplicationFacts, ProjectFacts]:
    from dataclasses import replace

    from permissions.facts import StatementFacts

    a = app(S.IN_PROGRESS)
    statement = StatementFacts(9, a.id, POLICE, OTHER, is_open, shared)
    return a, replace(project(a), statements=(statement,))


def test_an_asked_authority_reads_the_content_only_while_the_request_is_open() -> None:
    a, open_project = with_statement(True)
    assert policies.can_read_content_for_statement(OTHER_HANDLER, a, open_project)
    assert policies.can_read_application_content(OTHER_HANDLER, a, open_project)
    assert policies.can_see_application(OTHER_HANDLER, a, open_project)
    assert not policies.can_read_confidential_fields(OTHER_HANDLER, a, open_project)
    assert not policies.can_read_project_thread(OTHER_HANDLER, open_project)
    assert not policies.can_see_plan(OTHER_HANDLER, open_project)
    a, closed_project = with_statement(False)
    assert policies.can_see_application(OTHER_HANDLER, a, closed_project)
    assert not policies.can_read_application_content(OTHER_HANDLER, a, closed_project)
    # it is asked on this application only
    other_app = ApplicationFacts(2, 1, RESCUE, S.NOT_STARTED, False, True)
    assert not policies.can_see_application(OTHER_HANDLER, other_app, closed_project)


def test_confidential_fields_are_for_the_customer_and_the_handling_authority() -> None:
    a = app(S.IN_PROGRESS)
    facts = project(a)
    assert policies.can_read_confidential_fields(OWNER, a, facts)
    assert policies.can_read_confidential_fields(POLICE_SYSTEM, a, facts)
    assert not policies.can_read_confidential_fields(RESCUE_HANDLER, a, facts)
    assert policies.can_read_application_content(RESCUE_HANDLER, a, facts)


def test_statement_texts_are_for_the_two_authorities_until_shared() -> None:
    a, facts = with_statement(False)
    (statement,) = facts.statements
    assert policies.can_read_statement_text(POLICE_HANDLER, statement, a, facts)
    assert policies.can_read_statement_text(OTHER_HANDLER, statement, a, facts)
    assert policies.can_see_statement(OWNER, statement, a, facts)
    assert not policies.can_read_statement_text(OWNER, statement, a, facts)
    assert not policies.can_read_statement_text(RESCUE_HANDLER, statement, a, facts)
    a, shared = with_statement(False, shared=True)
    assert policies.can_read_statement_text(OWNER, shared.statements[0], a, shared)
    assert policies.can_share_statement(POLICE_SYSTEM, statement)
    assert not policies.can_share_statement(OTHER_HANDLER, statement)
    assert not policies.can_answer_statement(OTHER_HANDLER, statement)  # closed


def test_customers_are_told_of_messages_from_the_authorities_side_only() -> None:
    may_be_told_of_message = policies.may_be_told_of_message
    police = Viewer(person_id=9, handler_of=frozenset({100}))
    owner, rep, other = (
        Viewer(person_id=1),
        Viewer(person_id=2, represented=frozenset({50})),
        Viewer(person_id=3),
    )
    submitted = ApplicationFacts(1, 7, 100, ApplicationStatus.NOT_STARTED, False, True)
    personal = ProjectFacts(7, 1, None, frozenset({100}))
    company = ProjectFacts(7, None, 50, frozenset({100}))
    on_app = ThreadFacts(1, 7, submitted)
    on_project = ThreadFacts(2, 7, None)
    assert may_be_told_of_message(owner, police, on_app, personal)
    assert may_be_told_of_message(owner, police, on_project, personal)
    assert may_be_told_of_message(rep, police, on_app, company)
    assert not may_be_told_of_message(other, police, on_app, personal)  # not the customer
    assert not may_be_told_of_message(owner, owner, on_app, personal)  # their own message
    assert not may_be_told_of_message(
        rep, Viewer(person_id=4, represented=frozenset({50})), on_app, company
    )
    assert not may_be_told_of_message(Viewer(system_authority_id=100), police, on_app, personal)


def test_the_customers_notice_goes_to_the_submitter_else_the_owner_else_the_creator() -> None:
    """policies.customer_recipient: submitted_by, owner_person, created_by (in that order)."""
    assert policies.customer_recipient(CO_REP.person_id, None, OWNER.person_id) == 2
    assert policies.customer_recipient(CO_REP.person_id, 9, OWNER.person_id) == 2
    assert policies.customer_recipient(None, 9, OWNER.person_id) == 9
    assert policies.customer_recipient(None, None, OWNER.person_id) == 1
    assert policies.customer_recipient(None, None, None) is None
