"""projectActivity: every event of a project, to exactly the viewers the queries allow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from actions import applications as app_actions
from actions import authority as authority_actions
from models import Application, Thread
from models.statuses import ApplicationStatus
from notifications.events import project_channel
from tests.factories import gid, make_application, make_customer, make_handler, make_project
from tests.subscriptions.wsclient import connect, wait_subscribed, ws_client

S = ApplicationStatus

ACTIVITY = """subscription($id: ID!) { projectActivity(projectId: $id) {
  __typename kind eventId occurredAt project { id }
  ... on ApplicationEvent { application { id status version content { formData } } }
  ... on ApplicationStatusChangedEvent { fromStatus toStatus }
  ... on MessagePostedEvent { message { body } thread { id } }
} }"""


async def _version(app_id: int) -> int:
    return (await Application.get(id=app_id)).version


async def test_customer_and_co_authority_see_a_status_change_live_and_outsiders_nothing(
    db: str,
) -> None:
    async with ws_client() as client:
        customer = await make_customer()
        project_id = await make_project(customer)
        police = await make_handler("helsinki-police")
        app_id = await make_application(customer, project_id, status=S.NOT_STARTED, handler=police)
        await make_application(customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED)
        rescue, outsider = (
            await make_handler("helsinki-rescue"),
            await make_handler("tampere-building-control"),
        )
        variables = {"id": gid("Project", project_id)}
        async with (
            connect(client, customer.token) as c,
            connect(client, rescue.token) as r,
            connect(client, outsider.token) as o,
        ):
            for socket in (c, r, o):
                await socket.subscribe(ACTIVITY, variables)
            await wait_subscribed(project_channel(project_id), 3)
            await authority_actions.application_status_update(
                police.viewer, app_id, await _version(app_id), S.IN_PROGRESS, ""
            )
            for socket in (c, r):
                message = await socket.next()
                assert message["type"] == "next", message
                event = message["payload"]["data"]["projectActivity"]
                assert event["__typename"] == "ApplicationStatusChangedEvent"
                assert (event["fromStatus"], event["toStatus"]) == ("NOT_STARTED", "IN_PROGRESS")
                assert event["application"] == {
                    "id": gid("Application", app_id),
                    "status": "IN_PROGRESS",
                    "version": await _version(app_id),
                    "content": event["application"]["content"],
                }
            await o.nothing()


async def test_co_authority_never_receives_content_of_an_unshared_draft(db: str) -> None:
    async with ws_client() as client:
        customer = await make_customer()
        project_id = await make_project(customer)
        await make_application(customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED)
        draft = await make_application(customer, project_id)
        rescue = await make_handler("helsinki-rescue")
        async with connect(client, rescue.token) as r:
            await r.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
            await wait_subscribed(project_channel(project_id))
            await app_actions.application_share(customer.viewer, draft, await _version(draft), True)
            shared = (await r.next())["payload"]["data"]["projectActivity"]
            assert (
                shared["kind"] == "APPLICATION_SHARED"
                and shared["application"]["content"] is not None
            )
            await app_actions.application_share(
                customer.viewer, draft, await _version(draft), False
            )
            unshared = (await r.next())["payload"]["data"]["projectActivity"]
            assert unshared["kind"] == "APPLICATION_UNSHARED"
            assert unshared["application"]["content"] is None  # metadata only, once unshared
            thread = await Thread.get(application_id=draft)
            await authority_actions.message_post(customer.viewer, thread.id, "Luonnoksesta")
            await r.nothing()  # the draft's discussion is not theirs to read


async def test_an_authority_that_becomes_involved_starts_receiving(db: str) -> None:
    async with ws_client() as client:
        customer = await make_customer()
        project_id = await make_project(customer)
        draft = await make_application(customer, project_id)
        police = await make_handler("helsinki-police")
        async with connect(client, police.token) as p:
            await p.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
            await wait_subscribed(project_channel(project_id))
            project_thread = await Thread.get(project_id=project_id, application_id=None)
            await authority_actions.message_post(customer.viewer, project_thread.id, "Ennen")
            await p.nothing()  # not involved yet: nothing, and no hint that the project exists
            await app_actions.application_submit(customer.viewer, draft, await _version(draft))
            submitted = (await p.next())["payload"]["data"]["projectActivity"]
            assert submitted["kind"] == "APPLICATION_SUBMITTED"
            await authority_actions.message_post(customer.viewer, project_thread.id, "Jälkeen")
            message = (await p.next())["payload"]["data"]["projectActivity"]
            assert message["message"]["body"] == "Jälkeen"


async def test_every_kind_of_event_reaches_the_customer(db: str) -> None:
    async with ws_client() as client:
        customer = await make_customer()
        project_id = await make_project(customer)
        police = await make_handler("helsinki-police")
        app_id = await make_application(customer, project_id)
        async with connect(client, customer.token) as c:
            await c.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
            await wait_subscribed(project_channel(project_id))
            await app_actions.application_submit(customer.viewer, app_id, await _version(app_id))
            await authority_actions.application_status_update(
                police.viewer, app_id, await _version(app_id), S.IN_PROGRESS, ""
            )
            await authority_actions.supplement_request(
                police.viewer,
                app_id,
                await _version(app_id),
                "Lisää",
                date.today() + timedelta(days=3),
            )
            await authority_actions.supplement_submit(
                customer.viewer, app_id, await _version(app_id), None, "Tässä"
            )
            await authority_actions.decision_record(
                police.viewer,
                app_id,
                await _version(app_id),
                S.APPROVED,
                date.today(),
                "OK",
                None,
                True,
            )
            thread = await Thread.get(application_id=app_id)
            await authority_actions.message_post(police.viewer, thread.id, "Päätös annettu")
            kinds = [
                (await c.next())["payload"]["data"]["projectActivity"]["kind"] for _ in range(6)
            ]
            assert kinds == [
                "APPLICATION_SUBMITTED",
                "STATUS_CHANGED",
                "SUPPLEMENT_REQUESTED",
                "SUPPLEMENT_SUBMITTED",
                "DECISION_RECORDED",
                "MESSAGE_POSTED",
            ]
            other = await make_application(
                customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED
            )
            await app_actions.application_withdraw(
                customer.viewer, other, await _version(other), ""
            )
            kinds = [
                (await c.next())["payload"]["data"]["projectActivity"]["kind"] for _ in range(3)
            ]
            # the factory attaches the rescue plan's required site map before submitting
            assert kinds == ["ATTACHMENT_ADDED", "APPLICATION_SUBMITTED", "APPLICATION_WITHDRAWN"]


async def test_a_rolled_back_change_publishes_nothing(db: str) -> None:
    async with ws_client() as client:
        customer = await make_customer()
        project_id = await make_project(customer)
        app_id = await make_application(customer, project_id, content={})
        async with connect(client, customer.token) as c:
            await c.subscribe(ACTIVITY, {"id": gid("Project", project_id)})
            await wait_subscribed(project_channel(project_id))
            with pytest.raises(Exception):  # noqa: B017 - submit fails on missing content: rollback
                await app_actions.application_submit(
                    customer.viewer, app_id, await _version(app_id)
                )
            await c.nothing()
            assert (await Application.get(id=app_id)).status == S.DRAFT
