"""The world the permission matrix runs in: one project, one application A in a given state.

- The project belongs to a company; OWNER_REP created it, CO_REP also represents the company.
- A is the Helsinki police notification (the *addressed* authority), brought to the state.
- B is the Helsinki rescue plan, submitted: the rescue department is a *co-authority*.
- The environmental services are not involved at all (UNINVOLVED_HANDLER).
- Once A is submitted, the police ask the building control for a statement on A
  (ASKED_HANDLER); in the final states it has answered, and in FINAL_SHARED the police
  have shared the statement with the customer.
- A's form has a confidential field (`security_plan`): only the customer and the police
  see it.
- Messages: one by the customer on the project thread and one on A's thread; once A is
  submitted, the police take it, redirect its notices and answer on A's thread.
- ADMIN is an admin of the police (it handles like a handler, assigns, reads the police's
  audit log and outbox); OPERATOR is Luukku's operator (every outbox item, the kept mails),
  involved in nothing.
- FINAL: the decision is recorded with `shareWithAuthorities: false`; FINAL_SHARED: true.
  Its summary, DECISION_SUMMARY, is also the comment of A's final status change.
- The outbox holds the notices the world caused; one is kept as a mail (KeptMail).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from actions import applications as app_actions
from actions import authority as authority_actions
from actions import statements as statement_actions
from actions.attachments import attachment_add
from actions.identity import person_create
from actions.projects import ProjectChanges, project_create
from models import (
    Application,
    Attachment,
    KeptMail,
    Organisation,
    OutboxItem,
    PermitType,
    ServiceBundle,
    Thread,
)
from models.enums import Role as MemberRole
from models.statuses import ApplicationStatus
from tests.factories import (
    Actor,
    _actor,
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
#: the decision's summary (FINAL states): only those who see the decision may read it anywhere
DECISION_SUMMARY = "Päätös: hyväksytty ehdoin 7 ja 9."


class Role(StrEnum):
    OWNER_REP = "OWNER_REP"
    CO_REP = "CO_REP"
    UNRELATED_CUSTOMER = "UNRELATED_CUSTOMER"
    ADDRESSED_HANDLER = "ADDRESSED_HANDLER"
    CO_AUTHORITY_HANDLER = "CO_AUTHORITY_HANDLER"
    UNINVOLVED_HANDLER = "UNINVOLVED_HANDLER"
    ADDRESSED_SYSTEM = "ADDRESSED_SYSTEM"
    ASKED_HANDLER = "ASKED_HANDLER"
    ADMIN = "ADMIN"
    OPERATOR = "OPERATOR"
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
    statement_id: int | None = None
    #: the recipient of the mail kept in this world
    kept_mail_to: str = ""

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
        Role.ASKED_HANDLER: await make_handler("helsinki-building-control"),
        Role.ADMIN: await make_handler("helsinki-police", MemberRole.AUTHORITY_ADMIN),
        Role.OPERATOR: await _actor(
            await person_create(
                f"Operaattori {company.id}",
                f"operaattori{company.id}@luukku.example",
                is_operator=True,
            )
        ),
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
        return await _keep_a_mail(world)
    if state is State.SHARED_DRAFT:
        await app_actions.application_share(owner.viewer, app_id, await world.version(), True)
        return await _keep_a_mail(world)
    await app_actions.application_submit(owner.viewer, app_id, await world.version())
    await authority_actions.application_assign(police.viewer, app_id, await world.version(), None)
    await authority_actions.application_notice_redirect(
        police.viewer, app_id, await world.version(), "kasittelija@poliisi.example"
    )
    await authority_actions.message_post(police.viewer, thread_id, "Vastaus asiakkaalle.")
    building = await Organisation.get(code="helsinki-building-control")
    world.statement_id = await statement_actions.statement_request(
        police.viewer, app_id, building.id, "Vaatiiko lava luvan?", date.today() + timedelta(days=9)
    )
    if state is State.SUBMITTED:
        return await _keep_a_mail(world)
    await authority_actions.application_status_update(
        police.viewer, app_id, await world.version(), S.IN_PROGRESS, "Käsittelyssä"
    )
    if state is State.IN_PROGRESS:
        return await _keep_a_mail(world)
    await authority_actions.supplement_request(
        police.viewer,
        app_id,
        await world.version(),
        "Tarkenna järjestyksenvalvonta.",
        date.today() + timedelta(days=7),
    )
    if state is State.INFORMATION_REQUESTED:
        return await _keep_a_mail(world)
    content = (await Application.get(id=app_id)).content | {"security_staff_count": 9}
    await authority_actions.supplement_submit(
        owner.viewer,
        app_id,
        await world.version(),
        content,
        "Tarkennettu.",
        [spec("vastaus.pdf", pdf("S"))],
    )
    asked = actors[Role.ASKED_HANDLER]
    assert asked is not None
    await statement_actions.statement_answer(asked.viewer, world.statement_id, "Ei vaadi lupaa.")
    if state is State.FINAL_SHARED:
        await statement_actions.statement_share(police.viewer, world.statement_id, True)
    await authority_actions.decision_record(
        police.viewer,
        app_id,
        await world.version(),
        S.APPROVED,
        date.today(),
        DECISION_SUMMARY,
        "POL-1",
        state is State.FINAL_SHARED,
        [spec("paatos.pdf", pdf("D"))],
    )
    world.attachments["answer"] = (
        await Attachment.get(owner_kind="SUPPLEMENT", project_id=project_id)
    ).id
    world.attachments["decision"] = (
        await Attachment.get(owner_kind="DECISION", project_id=project_id)
    ).id
    return await _keep_a_mail(world)


async def _keep_a_mail(world: World) -> World:
    """The outbox worker does not run in the tests: keep the world's first mail by hand, as
    the worker would without SMTP, so that `keptMails` has something to show (or hide)."""
    item = (
        await OutboxItem.filter(
            kind="EMAIL", application_id__in=[world.application_id, world.other_application_id]
        )
        .order_by("id")
        .first()
    )
    if item is not None and not await KeptMail.exists(outbox_item_id=item.id):
        await KeptMail.create(
            outbox_item_id=item.id,
            to=item.payload.get("to", "x@luukku.example"),
            subject="Luukku",
            text="Uusi hakemus.",
            html="<p>Uusi hakemus.</p>",
            language="fi",
        )
    world.kept_mail_to = "" if item is None else item.payload.get("to", "x@luukku.example")
    return world
