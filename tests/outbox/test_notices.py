"""What each change writes to the outbox, in the same transaction: who is told, in which language."""

from __future__ import annotations

from datetime import date, timedelta

from actions import applications as app_actions
from actions import authority as authority_actions
from models import Application, OutboxItem, Person, Thread
from models.statuses import ApplicationStatus
from tests.factories import make_application, make_customer, make_handler, make_project

S = ApplicationStatus


async def _items(**filters: object) -> list[OutboxItem]:
    return await OutboxItem.filter(**filters).order_by("id")


async def test_a_light_channel_submission_mails_the_permit_notification_address_in_finnish(
    db: str,
) -> None:
    customer = await make_customer(language="en")
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED)
    (item,) = await _items(topic="authority.submitted")
    assert item.kind == "EMAIL" and item.status == "PENDING"
    mail = item.payload
    assert mail["to"] == "helsinki-police@demo.luukku.example"
    assert mail["language"] == "fi"
    assert mail["subject"].startswith("Uusi hakemus:")
    assert "Avaa hakemus: http://" in mail["text"] and "/ui/authority/applications/" in mail["text"]
    assert "<a href=" in mail["html"] and "Kesäfestivaali" in mail["html"]
    assert item.application_id == app_id


async def test_an_api_channel_submission_is_a_delivery_with_the_collected_data(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    await make_application(customer, project_id, "helsinki-public-area-use", status=S.NOT_STARTED)
    (item,) = await _items(kind="DELIVERY")
    assert item.topic == "application.submitted"
    data = item.payload["data"]
    assert data["customer"]["name"] == customer.name
    assert data["project"]["sharedData"] and data["application"]["formData"]
    notices = OutboxItem.filter(kind="EMAIL").exclude(topic__startswith="customer.reminder")
    assert await notices.count() == 0  # API channel: no e-mail (the draft's reminder aside)


async def test_rolled_back_changes_write_no_notices(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, content={})
    before = await OutboxItem.all().values_list("id", "status")  # the draft's reminder
    try:
        await app_actions.application_submit(customer.viewer, app_id, 2)
    except Exception:
        pass
    assert await OutboxItem.all().values_list("id", "status") == before


async def test_customer_is_told_of_requests_and_of_processing_without_the_outcome(db: str) -> None:
    customer = await make_customer(language="sv")
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.IN_PROGRESS, handler=police)
    version = (await Application.get(id=app_id)).version
    await authority_actions.supplement_request(
        police.viewer, app_id, version, "Mer", date.today() + timedelta(days=9)
    )
    (request,) = await _items(topic="customer.information_requested")
    person = await Person.get(id=customer.person_id)
    assert request.payload["to"] == person.email and request.payload["language"] == "sv"
    assert (date.today() + timedelta(days=9)).strftime("%d.%m.%Y") in request.payload["text"]
    await authority_actions.supplement_submit(customer.viewer, app_id, version + 1, None, "Svar")
    await authority_actions.decision_record(
        police.viewer, app_id, version + 2, S.REJECTED, date.today(), "Avslag", None, True
    )
    (processed,) = await _items(topic="customer.processed")
    text = processed.payload["text"] + processed.payload["html"]
    for outcome_word in ("REJECTED", "Avslag", "avslagen", "Hylätty", "godkänd", "rejected"):
        assert outcome_word not in text
    assert "behandlat" in processed.payload["subject"]
    assert await OutboxItem.filter(topic="authority.supplemented").count() == 1


async def test_after_taking_notices_go_to_the_handlers_chosen_address(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED, handler=police)
    await authority_actions.application_assign(police.viewer, app_id, 3, None)
    await authority_actions.application_notice_redirect(
        police.viewer, app_id, 4, "ville@poliisi.example"
    )
    thread = await Thread.get(application_id=app_id)
    await authority_actions.message_post(customer.viewer, thread.id, "Kysymys")
    (item,) = await _items(topic="authority.message")
    assert item.payload["to"] == "ville@poliisi.example"
    assert "Kysymys" not in item.payload["text"]  # the message itself stays in Luukku
    await authority_actions.message_post(police.viewer, thread.id, "Vastaus")
    assert (
        await OutboxItem.filter(topic="authority.message").count() == 1
    )  # not for the authority's own


async def test_a_project_message_tells_every_involved_authority(db: str) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    await make_application(customer, project_id, status=S.NOT_STARTED)
    await make_application(customer, project_id, "helsinki-rescue-plan", status=S.NOT_STARTED)
    await make_application(customer, project_id, "helsinki-noise-notification")  # an unshared draft
    thread = await Thread.get(project_id=project_id, application_id=None)
    await authority_actions.message_post(customer.viewer, thread.id, "Kaikille")
    recipients = sorted(i.payload["to"] for i in await _items(topic="authority.message"))
    assert recipients == [
        "helsinki-police@demo.luukku.example",
        "helsinki-rescue@demo.luukku.example",
    ]


async def test_an_authoritys_message_tells_the_customer_without_its_text(db: str) -> None:
    customer = await make_customer(language="sv")
    project_id = await make_project(customer)
    police = await make_handler("helsinki-police")
    app_id = await make_application(customer, project_id, status=S.NOT_STARTED, handler=police)
    thread = await Thread.get(application_id=app_id)
    await authority_actions.message_post(police.viewer, thread.id, "Hemligt: ta med kartan")
    (item,) = await _items(topic="customer.message")
    person = await Person.get(id=customer.viewer.person_id)
    mail = item.payload
    assert (mail["to"], mail["language"]) == (person.email, "sv")
    assert mail["subject"].startswith("Nytt meddelande om din ansökan")
    assert "Polisinrättningen i Helsingfors har skickat dig ett meddelande" in mail["text"]
    assert "/ui/applications/" in mail["text"] and "Hemligt" not in mail["text"] + mail["html"]
    assert item.application_id == app_id
    # the project's discussion: told too, linked to the project
    project_thread = await Thread.get(project_id=project_id, application_id=None)
    await authority_actions.message_post(police.viewer, project_thread.id, "Till alla")
    (project_item,) = await _items(topic="customer.project_message")
    assert "/ui/projects/" in project_item.payload["text"]
    # the customer's own messages tell the authority, not the customer
    await authority_actions.message_post(customer.viewer, thread.id, "Tack")
    told = OutboxItem.filter(topic__in=["customer.message", "customer.project_message"])
    assert await told.count() == 2


async def test_a_representative_who_lost_the_role_is_not_told(db: str) -> None:
    from actions.identity import membership_remove
    from models import Organisation
    from models.enums import Role
    from tests.factories import make_company, make_representative

    company = await make_company()
    rep = await make_representative(company)
    project_id = await make_project(rep, organisation=company)
    police = await make_handler("helsinki-police")
    app_id = await make_application(rep, project_id, status=S.NOT_STARTED, handler=police)
    person = await Person.get(id=rep.viewer.person_id)
    await membership_remove(
        person, await Organisation.get(id=company.id), Role.CUSTOMER_REPRESENTATIVE
    )
    thread = await Thread.get(application_id=app_id)
    await authority_actions.message_post(police.viewer, thread.id, "Vastaus")
    assert await OutboxItem.filter(topic="customer.message").count() == 0
