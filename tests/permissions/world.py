"""The world the permission matrix runs in: one project, one application A in a given state.

- The project belongs to a company; OWNER_REP created it, CO_REP also represents the company.
- A is the Helsinki police notification (the *addressed* authority), brought to the state.
- B is the Helsinki rescue plan, submitted: the rescue department is a *co-authority*.
- The environmental services are not involved at all (UNINVOLVED_HANDLER).
- Messages: one by the customer on the project thread and one on A's thread; once A is
  submitted, the police take it, redirect its notices and answer on A's thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from actions import applications as app_actions
from actions import authority as authority_actions
from actions.attachments import attachment_add
from actions.projects import ProjectChanges, project_create
from models import Application, Attachment, PermitType, ServiceBundle, Thread
from models.statuses import ApplicationStatus
from tests.factories import (
    Actor,
    attach_required,
    full_shared_data,
    make_company,
    make_customer,
    make_handler,
    make_representative,
    make_system,
    valid_content,
)
from tests.files import pdf, spec

S = ApplicationStatus


class Role(StrEnum):
    OWNER_REP = "OWNER_REP"
    CO_REP = "CO_REP"
    UNRELATED_CUSTOMER = "UNRELATED_CUSTOMER"
    ADDRESSED_HANDLER = "ADDRESSED_HANDLER"
    CO_AUTHORITY_HANDLER = "CO_AUTHORITY_HANDLER"
    UNINVOLVED_HANDLER = "UNINVOLVED_HANDLER"
    ADDRESSED_SYSTEM = "ADDRESSED_SYSTEM"
    ANONYMOUS = "ANONYMOUS"


class State(StrEnum):
    DRAFT = "DRAFT"
    SHARED_DRAFT = "SHARED_DRAFT"
    SUBMITTED = "SUBMITTED"
    IN_PROGRESS = "IN_PROGRESS"
    INFORMATION_REQUESTED = "INFORMATION_REQUESTED"
    FINAL = "FINAL"  # decision not shared with co-authorities
    FINAL_SHARED = "FINAL_SHARED"  # decision shared


SURVEY = [
    ("attendees", 800.0),
    ("fireworks", False),
    ("alcohol_served", False),
    ("food_sold", False),
    ("amplified_sound_outdoors", False),
    ("uses_public_area", False),
    ("traffic_arrangements", False),
    ("security_staff", True),
    ("temporary_structures", False),
]


@dataclass
class World:
    state: State
    actors: dict[Role, Actor | None]
    project_id: int
    application_id: int
    other_application_id: int
    thread_id: int
    project_thread_id: int
    #: A's own file, the customer's message's file on A's thread, and in FINAL states the
    #: decision's file and the supplement answer's file
    attachments: dict[str, int] = field(default_factory=dict)

    def token(self, role: Role) -> str | None:
        actor = self.actors[role]
        return None if actor is None else actor.token

    async def version(self) -> int:
        return (await Application.get(id=self.application_id)).version


async def build_world(state: State) -> World:
    company = await make_company()
    owner, co_rep = await make_representative(company), await make_representative(company)
    police = await make_handler("helsinki-police")
    rescue = await make_handler("helsinki-rescue")
    actors: dict[Role, Actor | None] = {
        Role.OWNER_REP: owner,
        Role.CO_REP: co_rep,
        Role.UNRELATED_CUSTOMER: await make_customer(),
        Role.ADDRESSED_HANDLER: police,
        Role.CO_AUTHORITY_HANDLER: rescue,
        Role.UNINVOLVED_HANDLER: await make_handler("helsinki-environmental-services"),
        Role.ADDRESSED_SYSTEM: await make_system("helsinki-police"),
        Role.ANONYMOUS: None,
    }
    bundle = await ServiceBundle.get(code="public-event")
    project_id = await project_create(
        owner.viewer,
        bundle_id=bundle.id,
        organisation_id=company.id,
        changes=ProjectChanges(
            name="Matriisifestivaali",
            description="Testitapahtuma",
            municipality_code="091",
            location=(60.17, 24.94),
            area={
                "type": "Polygon",
                "coordinates": [[[24.9, 60.1], [25.0, 60.1], [25.0, 60.2], [24.9, 60.1]]],
            },
            starts_on=date.today() + timedelta(days=60),
            ends_on=date.today() + timedelta(days=62),
            shared_data=full_shared_data(),
        ),
    )
    police_type = await PermitType.get(code="helsinki-police-event-notification")
    app_id = await app_actions.application_create(owner.viewer, project_id, police_type.id, SURVEY)
    await app_actions.application_update(
        owner.viewer, app_id, 1, await valid_content(police_type.code)
    )
    (own_file,) = await attachment_add(owner.viewer, app_id, [spec("liite.pdf", pdf("A"))])
    rescue_type = await PermitType.get(code="helsinki-rescue-plan")
    other_id = await app_actions.application_create(owner.viewer, project_id, rescue_type.id)
    await app_actions.application_update(
        owner.viewer, other_id, 1, await valid_content(rescue_type.code)
    )
    await attach_required(owner, other_id)
    await app_actions.application_submit(owner.viewer, other_id, 2)

    thread_id = (await Thread.get(application_id=app_id)).id
    project_thread_id = (await Thread.get(project_id=project_id, application_id=None)).id
    await authority_actions.message_post(owner.viewer, project_thread_id, "Tervetuloa hankkeeseen.")
    message_id = await authority_actions.message_post(
        owner.viewer, thread_id, "Kysymys poliisille.", [spec("kysymys.pdf", pdf("Q"))]
    )
    message_file = (await Attachment.get(owner_kind="MESSAGE", owner_id=message_id)).id

    world = World(state, actors, project_id, app_id, other_id, thread_id, project_thread_id)
    world.attachments = {"application": own_file, "message": message_file}
    if state is State.DRAFT:
        return world
    if state is State.SHARED_DRAFT:
        await app_actions.application_share(owner.viewer, app_id, await world.version(), True)
        return world
    await app_actions.application_submit(owner.viewer, app_id, await world.version())
    await authority_actions.application_assign(police.viewer, app_id, await world.version(), None)
    await authority_actions.application_notice_redirect(
        police.viewer, app_id, await world.version(), "kasittelija@poliisi.example"
    )
    await authority_actions.message_post(police.viewer, thread_id, "Vastaus asiakkaalle.")
    if state is State.SUBMITTED:
        return world
    await authority_actions.application_status_update(
        police.viewer, app_id, await world.version(), S.IN_PROGRESS, "Käsittelyssä"
    )
    if state is State.IN_PROGRESS:
        return world
    await authority_actions.supplement_request(
        police.viewer,
        app_id,
        await world.version(),
        "Tarkenna järjestyksenvalvonta.",
        date.today() + timedelta(days=7),
    )
    if state is State.INFORMATION_REQUESTED:
        return world
    content = (await Application.get(id=app_id)).content | {"security_staff_count": 9}
    await authority_actions.supplement_submit(
        owner.viewer,
        app_id,
        await world.version(),
        content,
        "Tarkennettu.",
        [spec("vastaus.pdf", pdf("S"))],
    )
    await authority_actions.decision_record(
        police.viewer,
        app_id,
        await world.version(),
        S.APPROVED,
        date.today(),
        "Käsitelty.",
        "POL-1",
        state is State.FINAL_SHARED,
        [spec("paatos.pdf", pdf("D"))],
    )
    world.attachments["answer"] = (await Attachment.get(owner_kind="SUPPLEMENT")).id
    world.attachments["decision"] = (await Attachment.get(owner_kind="DECISION")).id
    return world
