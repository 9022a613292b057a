"""Matrix rows for the rules the role × state tables cannot reach by reading: who assigns an
application to whom, who owns a new project for an organisation, who downloads a file that
is not scanned yet, who may introspect, the sign-in rules (staff roles from an issuer's
claims, acting for an organisation by a session, when a mandate is asked again, which
mandates allow acting), and when a live connection loses its access. Each `*_wrong` returns what goes otherwise than the row says; the
policy-mutation test (test_mutation.py) runs them too."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from actions import signin
from actions.auth.config import AuthConfig, override_auth_config, parse
from models import Application, Attachment, Organisation, Person, ServiceBundle
from models import settings as settings_module
from models.errors import DomainError, ErrorCode
from models.settings import get_settings
from permissions.signin import MandateOrganisation
from tests.factories import GQL, gid, make_company
from tests.permissions.world import Role, State, World, build_world

ASSIGN = """mutation($input: ApplicationAssignInput!) {
  applicationAssign(input: $input) { userErrors { code } } }"""


async def _assign(gql: GQL, world: World, role: Role, target: Role | None) -> str:
    app = await Application.get(id=world.application_id)
    actor = world.actors[target] if target is not None else None
    variables: dict[str, Any] = {"id": gid("Application", app.id), "expectedVersion": app.version}
    if actor is not None:
        variables["handlerId"] = gid("Person", actor.person_id or 0)
    result = await gql(ASSIGN, {"input": variables}, token=world.token(role))
    return ",".join(e["code"] for e in result["data"]["applicationAssign"]["userErrors"]) or "ok"


async def assign_wrong(gql: GQL, world: World) -> list[str]:
    """A is the police handler's (world.py). Admins assign to any handler of the police and
    take over; a handler takes only what nobody else has, and assigns to no one else."""
    steps = [
        (Role.ADDRESSED_HANDLER, Role.ADMIN, {"FORBIDDEN"}),  # a handler assigns to another
        (Role.ADMIN, None, {"ok"}),  # the admin takes it over
        (Role.ADDRESSED_HANDLER, None, {"ALREADY_ASSIGNED"}),  # the handler cannot take it back
        (Role.ADMIN, Role.ADDRESSED_HANDLER, {"ok"}),  # the admin gives it back
    ]
    wrong = []
    for role, target, expected in steps:
        got = await _assign(gql, world, role, target)
        if got not in expected:
            wrong.append(f"{role} assigns to {target or 'self'}: expected {expected}, got {got}")
    return wrong


async def test_who_assigns_to_whom(gql: GQL) -> None:
    assert await assign_wrong(gql, await build_world(State.SUBMITTED)) == []


CREATE = """mutation($input: ProjectCreateInput!) {
  projectCreate(input: $input) { userErrors { code } } }"""


async def project_for_wrong(gql: GQL, world: World) -> list[str]:
    """A project for the company: its representatives; not another person."""
    project_company = (
        await Application.get(id=world.application_id).prefetch_related("project")
    ).project.owner_organisation_id
    bundle = await ServiceBundle.get(code="public-event")
    wrong = []
    for role, expected in ((Role.UNRELATED_CUSTOMER, False), (Role.CO_REP, True)):
        result = await gql(
            CREATE,
            {
                "input": {
                    "serviceBundleId": gid("ServiceBundle", bundle.id),
                    "name": "Toinen",
                    "municipalityCode": "091",
                    "organisationId": gid("Organisation", project_company or 0),
                }
            },
            token=world.token(role),
        )
        codes = [e["code"] for e in result["data"]["projectCreate"]["userErrors"]]
        if (codes == []) is not expected:
            wrong.append(
                f"{role}: a project for the company: expected {'ok' if expected else 'refused'}, got {codes}"
            )
    return wrong


async def test_who_owns_a_project_for_an_organisation(gql: GQL) -> None:
    assert await project_for_wrong(gql, await build_world(State.DRAFT)) == []


async def pending_wrong(gql: GQL, world: World) -> list[str]:
    """A's own file, not scanned yet: only its uploader (OWNER_REP) downloads it; the
    co-representative, who sees it, is told to wait (409)."""
    await Attachment.filter(id=world.attachments["application"]).update(scan_status="PENDING")
    wrong = []
    for role, expected in ((Role.OWNER_REP, 200), (Role.CO_REP, 409)):
        response = await gql.client.get(
            f"/attachments/{gid('Attachment', world.attachments['application'])}",
            headers={"Authorization": f"Bearer {world.token(role)}"},
        )
        if response.status_code != expected:
            wrong.append(f"{role}: a pending file: expected {expected}, got {response.status_code}")
    return wrong


async def test_only_the_uploader_downloads_a_file_not_scanned_yet(gql: GQL) -> None:
    assert await pending_wrong(gql, await build_world(State.DRAFT)) == []


# --- introspection ----------------------------------------------------------------------------

INTROSPECTION = "{ __schema { queryType { name } } }"
#: GRAPHQL_INTROSPECTION mode -> who may introspect
INTROSPECTS = {
    "on": frozenset(Role),
    "signed-in": frozenset(Role) - {Role.ANONYMOUS},
    "off": frozenset[Role](),
}


async def introspection_wrong(gql: GQL, world: World) -> list[str]:
    wrong = []
    original = get_settings()
    try:
        for mode, allowed in INTROSPECTS.items():
            settings_module._settings = replace(original, introspection=mode)  # type: ignore[attr-defined]
            for role in (Role.ANONYMOUS, Role.OWNER_REP):
                result = await gql(INTROSPECTION, token=world.token(role), errors=True)
                got = "errors" not in result
                if got is not (role in allowed):
                    wrong.append(
                        f"{role} with introspection {mode}: {'allowed' if got else 'refused'}"
                    )
    finally:
        settings_module._settings = original  # type: ignore[attr-defined]
    return wrong


async def test_who_may_introspect(gql: GQL) -> None:
    assert await introspection_wrong(gql, await build_world(State.DRAFT)) == []


# --- sign-in ----------------------------------------------------------------------------------

AUTH = {
    "providers": [
        {
            "name": "register",
            "issuer": "https://idp.example",
            "client_id": "c",
            "client_secret": "s",
            "memberships": [
                {
                    "claim": "groups",
                    "value": "poliisi-kasittelijat",
                    "authority": "helsinki-police",
                    "role": "AUTHORITY_HANDLER",
                }
            ],
        },
        {
            "name": "suomifi",
            "issuer": "https://tunnistus.example",
            "client_id": "c",
            "client_secret": "s",
            "mandates": "suomifi",
        },
    ],
    "suomifi_mandates": {
        "base_url": "https://valtuudet.example",
        "client_id": "c",
        "api_key": "k",
        "oauth_secret": "o",
    },
}


@pytest.fixture
def auth_config() -> Iterator[AuthConfig]:
    config = parse(AUTH, env={})
    override_auth_config(config)
    yield config
    override_auth_config(None)


async def _session(person_id: int, config: AuthConfig, provider: int = 0) -> str:
    person = await Person.get(id=person_id)
    value, _ = await signin.session_open(
        signin.SignedIn(person.id, person.name, None),
        config.providers[provider],
        {"sub": f"s{person.id}"},
        config,
    )
    return value


async def signin_wrong(world: World, config: AuthConfig) -> list[str]:
    """Staff roles come from matching claims only; a session acts for an organisation its
    mandate allows, and for no other; a mandate checked long ago is asked again; only a
    complete mandate with an allowed role lets a person act for an organisation."""
    from models import AuthSession, Membership

    wrong = []
    provider = config.providers[0]
    police = await Organisation.get(code="helsinki-police")
    n = world.project_id
    for groups, expected in ((["poliisi-kasittelijat"], True), (["muut"], False)):
        person = await signin.sign_in(
            provider, {"sub": f"matrix-{n}-{groups[0]}", "name": "Kirjautuja", "groups": groups}
        )
        is_handler = await Membership.exists(person_id=person.person_id, organisation_id=police.id)
        if is_handler is not expected:
            wrong.append(f"claims {groups}: {'a' if is_handler else 'no'} police handler")

    owner = world.actors[Role.OWNER_REP]
    assert owner is not None and owner.person_id is not None
    company = (
        await Application.get(id=world.application_id).prefetch_related("project")
    ).project.owner_organisation_id
    other = await make_company()
    cookie = await _session(owner.person_id, config)
    viewer = await signin.viewer_for_session(cookie)
    assert viewer is not None
    for organisation, allowed in ((other.id, False), (company, True), (None, True)):
        try:
            await signin.acting_for_select(viewer, organisation)
            got = True
        except DomainError as exc:
            got = exc.code is not ErrorCode.NO_MANDATE
        if got is not allowed:
            wrong.append(f"session acts for {organisation}: {'allowed' if got else 'refused'}")
    await signin.acting_for_select(viewer, company)
    session = await AuthSession.get(id=viewer.session_id)
    checked = (session.mandate or {}).get("checked_at")
    fresh = await signin.viewer_for_session(cookie)
    if fresh is None or (fresh.basis or {}).get("mandate", {}).get("checkedAt") != checked:
        wrong.append("a mandate checked a moment ago was asked again")
    old = (signin.now() - timedelta(days=30)).isoformat()
    await AuthSession.filter(id=session.id).update(
        mandate=(session.mandate or {}) | {"checked_at": old}
    )
    again = await signin.viewer_for_session(cookie)
    if again is None or (again.basis or {}).get("mandate", {}).get("checkedAt") == old:
        wrong.append("a mandate checked long ago was not asked again")

    from actions.identity import membership_remove
    from models.enums import Role as MemberRole

    await AuthSession.filter(id=session.id).update(mandate=session.mandate)  # checked now
    await membership_remove(
        await Person.get(id=owner.person_id),
        await Organisation.get(id=company),
        MemberRole.CUSTOMER_REPRESENTATIVE,
    )
    gone = await signin.viewer_for_session(cookie)
    if gone is None or gone.acting_for is not None or gone.represented:
        wrong.append("a session still acts for an organisation its person no longer represents")

    customer = world.actors[Role.UNRELATED_CUSTOMER]
    assert customer is not None and customer.person_id is not None
    suomifi_cookie = await _session(customer.person_id, config, provider=1)
    suomifi_viewer = await signin.viewer_for_session(suomifi_cookie)
    assert suomifi_viewer is not None and suomifi_viewer.session_id is not None
    companies = [await make_company() for _ in range(3)]
    answer = [
        MandateOrganisation(str(companies[0].business_id), "A", ("NIMKO",), True),
        MandateOrganisation(str(companies[1].business_id), "B", ("NIMKO",), False),
        MandateOrganisation(str(companies[2].business_id), "C", ("LUKU",), True),
    ]
    allowed_ids = await signin.mandate_selected(suomifi_viewer.session_id, answer, "token")
    if allowed_ids != [companies[0].id]:
        wrong.append(
            f"mandates: expected only the complete one with an allowed role, got {allowed_ids}"
        )
    return wrong


async def test_the_sign_in_rules(db: str, auth_config: AuthConfig) -> None:
    assert await signin_wrong(await build_world(State.DRAFT), auth_config) == []


# --- a live connection loses its access ------------------------------------------------------

LIVE_INBOX = "subscription { inboxActivity { kind } }"


async def live_access_wrong() -> list[str]:
    """A live connection is re-checked when its viewer's rights change: it stays open while
    they hold, and closes (4403) once its person loses the role (policies.access_still_holds).
    A handler of an authority no matrix world uses, so that no other row sees it."""
    from actions.identity import membership_remove
    from app.live import live_connections
    from models.enums import Role as MemberRole
    from notifications.events import authority_channel
    from tests.factories import make_handler
    from tests.subscriptions.wsclient import connect, wait_subscribed, ws_client

    handler = await make_handler("tampere-public-areas")
    authority = await Organisation.get(code="tampere-public-areas")
    wrong = []
    async with ws_client() as client, connect(client, handler.token) as socket:
        await socket.subscribe(LIVE_INBOX)
        await wait_subscribed(authority_channel(authority.id))
        if await live_connections.recheck(person_id=handler.person_id):
            wrong.append("a live connection was closed while its rights hold")
        person = await Person.get(id=handler.person_id)
        await membership_remove(person, authority, MemberRole.AUTHORITY_HANDLER)
        try:
            code: int | None = await socket.closed(timeout=2)
        except TimeoutError:
            code = None
        if code != 4403:
            wrong.append(f"a live connection that lost its access: closed with {code}")
    return wrong


async def test_a_live_connection_closes_when_its_access_ends(db: str) -> None:
    assert await live_access_wrong() == []


# --- two statement requests on one application ------------------------------------------------

STATEMENTS_OF_A = """query($id: ID!) { application(id: $id) { statementRequests {
  askedAuthority { code } } } }"""


async def statements_wrong(gql: GQL, world: World) -> list[str]:
    """The police ask the environmental services too: each asked authority sees its own
    request on A (and A), not the other's; the customer and the involved authorities both."""
    from datetime import date, timedelta

    from actions import statements as statement_actions

    police = world.actors[Role.ADDRESSED_HANDLER]
    assert police is not None
    environment = await Organisation.get(code="helsinki-environmental-services")
    await statement_actions.statement_request(
        police.viewer,
        world.application_id,
        environment.id,
        "Ja teiltä?",
        date.today() + timedelta(days=5),
    )
    both = ["helsinki-building-control", "helsinki-environmental-services"]
    expected = {
        Role.OWNER_REP: both,
        Role.CO_AUTHORITY_HANDLER: both,
        Role.ADDRESSED_HANDLER: both,
        Role.ASKED_HANDLER: ["helsinki-building-control"],
        Role.UNINVOLVED_HANDLER: ["helsinki-environmental-services"],
        Role.UNRELATED_CUSTOMER: None,
    }
    wrong = []
    for role, codes in expected.items():
        result = await gql(
            STATEMENTS_OF_A,
            {"id": gid("Application", world.application_id)},
            token=world.token(role),
        )
        app = result["data"]["application"]
        got = (
            None
            if app is None
            else sorted(s["askedAuthority"]["code"] for s in app["statementRequests"])
        )
        if got != codes:
            wrong.append(f"{role}: statement requests on A: expected {codes}, got {got}")
    return wrong


async def test_each_asked_authority_sees_its_own_request(gql: GQL) -> None:
    assert await statements_wrong(gql, await build_world(State.SUBMITTED)) == []
