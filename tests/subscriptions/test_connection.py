"""graphql-transport-ws connections: authentication, origins, and access that ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from actions.identity import membership_remove, token_issue, token_revoke
from models import ApiToken, Organisation, Person
from models.enums import Role
from models.statuses import ApplicationStatus
from notifications.events import authority_channel, project_channel
from tests.factories import (
    gid,
    make_application,
    make_customer,
    make_handler,
    make_person,
    make_project,
)
from tests.subscriptions.wsclient import connect, wait_subscribed, ws_client

S = ApplicationStatus
INBOX = "subscription { inboxActivity { __typename kind ... on ApplicationEvent { application { id status } } } }"
ACTIVITY = "subscription($id: ID!) { projectActivity(projectId: $id) { kind } }"


async def test_missing_or_bad_token_is_refused_with_4403(db: str) -> None:
    async with ws_client() as client:
        for params in (
            {},
            {"authorization": "Bearer lk_nope"},
            {"authorization": "Basic x"},
            {"authorization": 5},
        ):
            async with connect(client, None, params=params, expect_ack=False) as socket:
                assert await socket.closed() == 4403


async def test_subscribing_before_connection_init_is_refused(db: str) -> None:
    async with ws_client() as client:
        async with connect(client, None, params={}, expect_ack=False) as socket:
            assert await socket.closed() == 4403
    customer = await make_customer()
    async with ws_client() as client, connect(client, customer.token) as socket:
        await socket.subscribe("subscription { inboxActivity { kind } }")
        message = await socket.next()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"  # customers have no inbox


async def test_cross_origin_sockets_only_from_configured_origins(db: str) -> None:
    customer = await make_customer()
    async with ws_client() as client:
        try:
            async with connect(
                client, customer.token, headers={"Origin": "https://evil.example"}, expect_ack=False
            ) as s:
                code = await s.closed()
        except Exception as exc:  # refused during the handshake
            code = getattr(exc, "code", 1008)
        assert code in (1008, 4403)
        async with connect(
            client, customer.token, headers={"Origin": "http://test"}
        ) as same_origin:
            await same_origin.nothing(0.05)


async def test_revoked_token_closes_the_socket(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    async with ws_client() as client, connect(client, customer.token) as socket:
        await socket.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
        await wait_subscribed(project_channel(project_id))
        token = await ApiToken.get(person_id=customer.person_id)
        await token_revoke(token.id, datetime.now(UTC))
        assert await socket.closed() == 4403


async def test_lost_membership_closes_the_socket(db: str) -> None:
    handler = await make_handler("helsinki-police")
    police = await Organisation.get(code="helsinki-police")
    async with ws_client() as client, connect(client, handler.token) as socket:
        await socket.subscribe(INBOX)
        await wait_subscribed(authority_channel(police.id))
        person = await Person.get(id=handler.person_id)
        await membership_remove(person, police, Role.AUTHORITY_HANDLER)
        assert await socket.closed() == 4403


async def test_expired_token_stops_delivery(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    person = await Person.get(id=customer.person_id)
    short = await token_issue(
        label="short", person=person, expires_at=datetime.now(UTC) + timedelta(seconds=1)
    )
    app_id = await make_application(customer, project_id)
    async with ws_client() as client, connect(client, short) as socket:
        await socket.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
        await wait_subscribed(project_channel(project_id))
        import asyncio

        await asyncio.sleep(1.1)
        from actions.applications import application_share

        await application_share(customer.viewer, app_id, 2, True)
        assert await socket.closed() == 4403


async def test_inbox_activity_brings_new_and_returned_work(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    rescue = await make_handler("helsinki-rescue")
    police_org = await Organisation.get(code="helsinki-police")
    rescue_org = await Organisation.get(code="helsinki-rescue")
    async with (
        ws_client() as client,
        connect(client, police.token) as p,
        connect(client, rescue.token) as r,
    ):
        await p.subscribe(INBOX)
        await r.subscribe(INBOX)
        await wait_subscribed(authority_channel(police_org.id))
        await wait_subscribed(authority_channel(rescue_org.id))
        app_id = await make_application(customer, project_id, status=S.NOT_STARTED)
        event = (await p.next())["payload"]["data"]["inboxActivity"]
        assert (event["__typename"], event["application"]["id"]) == (
            "ApplicationSubmittedEvent",
            gid("Application", app_id),
        )
        await r.nothing()  # not the rescue department's work
        person = await make_person()
        assert person


async def test_application_status_changed(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED, handler=police)
    other = await make_application(
        customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED
    )
    query = """subscription($id: ID!) { applicationStatusChanged(applicationId: $id) {
      fromStatus toStatus kind application { id status } } }"""
    async with ws_client() as client, connect(client, customer.token) as c:
        await c.subscribe(query, {"id": gid("Application", app_id)})
        await wait_subscribed(project_channel(project_id))
        from actions.applications import application_withdraw
        from actions.authority import application_status_update

        await application_withdraw(
            customer.viewer, other, 3, ""
        )  # another application: not delivered
        await application_status_update(police.viewer, app_id, 3, S.IN_PROGRESS, "")
        event = (await c.next())["payload"]["data"]["applicationStatusChanged"]
        assert event == {
            "fromStatus": "NOT_STARTED",
            "toStatus": "IN_PROGRESS",
            "kind": "STATUS_CHANGED",
            "application": {"id": gid("Application", app_id), "status": "IN_PROGRESS"},
        }
