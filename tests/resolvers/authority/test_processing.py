"""Taking, status changes, supplements, decisions, notice redirects."""

from __future__ import annotations

from datetime import date, timedelta

from models import Application, AuditEntry, Decision, StatusChange, SupplementRequest
from models.enums import Role
from models.statuses import ApplicationStatus
from tests.factories import (
    GQL,
    gid,
    make_application,
    make_customer,
    make_handler,
    make_project,
    make_system,
)
from tests.resolvers.authority.operations import (
    ASSIGN,
    DECISION,
    REDIRECT,
    STATUS,
    SUPPLEMENT_REQUEST,
    SUPPLEMENT_SUBMIT,
)

S = ApplicationStatus


async def _submitted(status: S = S.NOT_STARTED) -> tuple:
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=status, handler=police)
    version = (await Application.get(id=app_id)).version
    return customer, police, app_id, version


async def test_handler_takes_an_application_and_a_colleague_is_told_by_whom(gql: GQL) -> None:
    _, police, app_id, version = await _submitted()
    taken = await gql(
        ASSIGN,
        {"input": {"id": gid("Application", app_id), "expectedVersion": version}},
        token=police.token,
    )
    assert taken["data"]["applicationAssign"]["application"]["assignedTo"]["name"] == police.name
    colleague = await make_handler("helsinki-police")
    again = await gql(
        ASSIGN,
        {"input": {"id": gid("Application", app_id), "expectedVersion": version + 1}},
        token=colleague.token,
    )
    error = again["data"]["applicationAssign"]["userErrors"][0]
    assert error["code"] == "ALREADY_ASSIGNED" and police.name in error["message"]
    assert (await Application.get(id=app_id)).assigned_to_id == police.person_id
    assert await AuditEntry.filter(action="ASSIGNMENT").count() == 1


async def test_admin_assigns_to_another_handler_of_the_same_authority_only(gql: GQL) -> None:
    _, police, app_id, version = await _submitted()
    admin = await make_handler("helsinki-police", Role.AUTHORITY_ADMIN)
    rescue = await make_handler("helsinki-rescue")
    wrong = await gql(
        ASSIGN,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": version,
                "handlerId": gid("Person", rescue.person_id),
            }
        },
        token=admin.token,
    )
    assert wrong["data"]["applicationAssign"]["userErrors"][0]["code"] == "NOT_A_HANDLER"
    right = await gql(
        ASSIGN,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": version,
                "handlerId": gid("Person", police.person_id),
            }
        },
        token=admin.token,
    )
    assert right["data"]["applicationAssign"]["application"]["assignedTo"]["name"] == police.name
    plain = await gql(
        ASSIGN,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": version + 1,
                "handlerId": gid("Person", admin.person_id),
            }
        },
        token=police.token,
    )
    assert plain["data"]["applicationAssign"]["userErrors"][0]["code"] == "FORBIDDEN"


async def test_status_model_and_conflicts(gql: GQL) -> None:
    _, police, app_id, version = await _submitted()
    app = gid("Application", app_id)
    illegal = await gql(
        STATUS,
        {"input": {"id": app, "expectedVersion": version, "status": "INFORMATION_REQUESTED"}},
        token=police.token,
    )
    assert (
        illegal["data"]["applicationStatusUpdate"]["userErrors"][0]["code"]
        == "INVALID_STATUS_TRANSITION"
    )
    final = await gql(
        STATUS,
        {"input": {"id": app, "expectedVersion": version, "status": "APPROVED"}},
        token=police.token,
    )
    assert (
        final["data"]["applicationStatusUpdate"]["userErrors"][0]["code"]
        == "INVALID_STATUS_TRANSITION"
    )
    stale = await gql(
        STATUS,
        {"input": {"id": app, "expectedVersion": version - 1, "status": "IN_PROGRESS"}},
        token=police.token,
    )
    assert stale["data"]["applicationStatusUpdate"]["userErrors"][0]["code"] == "STALE_VERSION"
    assert await StatusChange.filter(application_id=app_id).count() == 2
    ok = await gql(
        STATUS,
        {
            "input": {
                "id": app,
                "expectedVersion": version,
                "status": "IN_PROGRESS",
                "comment": "Aloitettu",
            }
        },
        token=police.token,
    )
    history = ok["data"]["applicationStatusUpdate"]["application"]["statusHistory"]["nodes"]
    assert history[-1] == {
        "fromStatus": "NOT_STARTED",
        "toStatus": "IN_PROGRESS",
        "comment": "Aloitettu",
        "actorName": police.name,
    }
    assert await AuditEntry.filter(action="STATUS_CHANGE").count() == 1


async def test_wrong_authority_cannot_change_status(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED)
    await make_application(customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED)
    rescue = await make_handler("helsinki-rescue")  # involved, but not the addressed authority
    result = await gql(
        STATUS,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 3,
                "status": "IN_PROGRESS",
            }
        },
        token=rescue.token,
    )
    assert result["data"]["applicationStatusUpdate"]["userErrors"][0]["code"] == "WRONG_AUTHORITY"
    outsider = await make_handler("tampere-building-control")
    result = await gql(
        STATUS,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 3,
                "status": "IN_PROGRESS",
            }
        },
        token=outsider.token,
    )
    assert result["data"]["applicationStatusUpdate"]["userErrors"][0]["code"] == "NOT_FOUND"


async def test_supplement_round_trip_stays_in_history(gql: GQL) -> None:
    customer, police, app_id, version = await _submitted(S.IN_PROGRESS)
    app = gid("Application", app_id)
    due = (date.today() + timedelta(days=10)).isoformat()
    asked = await gql(
        SUPPLEMENT_REQUEST,
        {
            "input": {
                "id": app,
                "expectedVersion": version,
                "message": "Lisää järjestyksenvalvojat.",
                "dueDate": due,
            }
        },
        token=police.token,
    )
    application = asked["data"]["supplementRequest"]["application"]
    assert application["status"] == "INFORMATION_REQUESTED"
    assert application["supplementRequests"][0]["isOpen"] is True
    content = (await Application.get(id=app_id)).content | {"security_staff_count": 12}
    answered = await gql(
        SUPPLEMENT_SUBMIT,
        {
            "input": {
                "id": app,
                "expectedVersion": version + 1,
                "content": content,
                "message": "Lisätty.",
            }
        },
        token=customer.token,
    )
    application = answered["data"]["supplementSubmit"]["application"]
    assert application["status"] == "IN_PROGRESS"
    request = application["supplementRequests"][0]
    assert (
        request["isOpen"],
        request["answerMessage"],
        request["answerContent"]["security_staff_count"],
    ) == (False, "Lisätty.", 12)
    steps = [(h["fromStatus"], h["toStatus"]) for h in application["statusHistory"]["nodes"]]
    assert steps[-2:] == [
        ("IN_PROGRESS", "INFORMATION_REQUESTED"),
        ("INFORMATION_REQUESTED", "IN_PROGRESS"),
    ]


async def test_supplement_request_on_a_draft_is_refused(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, shared=True)
    police = await make_handler("helsinki-police")
    result = await gql(
        SUPPLEMENT_REQUEST,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 3,
                "message": "?",
                "dueDate": "2099-01-01",
            }
        },
        token=police.token,
    )
    assert result["data"]["supplementRequest"]["userErrors"][0]["code"] == "NOT_SUBMITTED"
    assert await SupplementRequest.all().count() == 0


async def test_supplement_answer_needs_content_or_message_and_valid_content(gql: GQL) -> None:
    customer, _, app_id, version = await _submitted(S.INFORMATION_REQUESTED)
    app = gid("Application", app_id)
    empty = await gql(
        SUPPLEMENT_SUBMIT, {"input": {"id": app, "expectedVersion": version}}, token=customer.token
    )
    assert empty["data"]["supplementSubmit"]["userErrors"][0]["code"] == "REQUIRED"
    invalid = await gql(
        SUPPLEMENT_SUBMIT,
        {"input": {"id": app, "expectedVersion": version, "content": {"event_name": "x"}}},
        token=customer.token,
    )
    assert {e["code"] for e in invalid["data"]["supplementSubmit"]["userErrors"]} == {"REQUIRED"}
    assert (await Application.get(id=app_id)).status == S.INFORMATION_REQUESTED


async def test_decision_is_final_and_cannot_be_given_twice(gql: GQL) -> None:
    _, police, app_id, version = await _submitted(S.IN_PROGRESS)
    app = gid("Application", app_id)
    decided = await gql(
        DECISION,
        {
            "input": {
                "id": app,
                "expectedVersion": version,
                "outcome": "APPROVED",
                "decidedOn": date.today().isoformat(),
                "summary": "Ilmoitus käsitelty.",
                "documentReference": "POL-2027-123",
            }
        },
        token=police.token,
    )
    decision = decided["data"]["decisionRecord"]["application"]["decision"]
    assert decision["outcome"] == "APPROVED" and decision["isSharedWithAuthorities"] is True
    assert decision["documentReference"] == "POL-2027-123"
    again = await gql(
        DECISION,
        {
            "input": {
                "id": app,
                "expectedVersion": version + 1,
                "outcome": "REJECTED",
                "decidedOn": date.today().isoformat(),
                "summary": "x",
            }
        },
        token=police.token,
    )
    assert again["data"]["decisionRecord"]["userErrors"][0]["code"] == "ALREADY_FINAL"
    status = await gql(
        STATUS,
        {"input": {"id": app, "expectedVersion": version + 1, "status": "IN_PROGRESS"}},
        token=police.token,
    )
    assert status["data"]["applicationStatusUpdate"]["userErrors"][0]["code"] == "ALREADY_FINAL"
    assert await Decision.all().count() == 1


async def test_decision_outcome_must_be_final(gql: GQL) -> None:
    _, police, app_id, version = await _submitted(S.IN_PROGRESS)
    result = await gql(
        DECISION,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": version,
                "outcome": "IN_PROGRESS",
                "decidedOn": date.today().isoformat(),
                "summary": "x",
            }
        },
        token=police.token,
    )
    assert result["data"]["decisionRecord"]["userErrors"][0]["code"] == "INVALID_VALUE"


async def test_redirect_notices_after_taking(gql: GQL) -> None:
    _, police, app_id, version = await _submitted()
    app = gid("Application", app_id)
    before = await gql(
        REDIRECT,
        {"input": {"id": app, "expectedVersion": version, "email": "ville@poliisi.example"}},
        token=police.token,
    )
    assert before["data"]["applicationNoticeRedirect"]["userErrors"][0]["code"] == "FORBIDDEN"
    await gql(ASSIGN, {"input": {"id": app, "expectedVersion": version}}, token=police.token)
    bad = await gql(
        REDIRECT,
        {"input": {"id": app, "expectedVersion": version + 1, "email": "not-an-address"}},
        token=police.token,
    )
    assert bad["data"]["applicationNoticeRedirect"]["userErrors"][0]["code"] == "INVALID_VALUE"
    ok = await gql(
        REDIRECT,
        {"input": {"id": app, "expectedVersion": version + 1, "email": "ville@poliisi.example"}},
        token=police.token,
    )
    assert (
        ok["data"]["applicationNoticeRedirect"]["application"]["noticeEmail"]
        == "ville@poliisi.example"
    )


async def test_authority_system_token_processes_like_a_handler(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(
        customer, project_id, "helsinki-public-area-use", status=S.NOT_STARTED
    )
    system = await make_system("helsinki-public-areas")
    result = await gql(
        STATUS,
        {
            "input": {
                "id": gid("Application", app_id),
                "expectedVersion": 3,
                "status": "IN_PROGRESS",
            }
        },
        token=system.token,
        headers={
            "X-Road-Client": "FI/GOV/0201256-6/alueidenkaytto",
            "X-Road-Id": "req-1",
            "X-Road-UserId": "FI123",
        },
    )
    assert result["data"]["applicationStatusUpdate"]["application"]["status"] == "IN_PROGRESS"
    entry = await AuditEntry.get(action="STATUS_CHANGE")
    assert (entry.xroad_client, entry.xroad_id, entry.xroad_user_id) == (
        "FI/GOV/0201256-6/alueidenkaytto",
        "req-1",
        "FI123",
    )
    assert entry.actor_id is None and entry.acting_for_id == entry.authority_id
