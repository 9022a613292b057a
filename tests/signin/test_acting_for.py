"""Acting for an organisation by a session: chosen, re-checked at submission, audited."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from actions import applications as app_actions
from actions import signin
from actions.auth.config import AuthConfig, override_auth_config, parse
from actions.identity import membership_remove
from models import AuditEntry, Organisation, Person
from models.authority_work import AuditAction
from models.enums import Role
from models.errors import DomainError, ErrorCode
from tests.factories import make_application, make_company, make_project, make_representative


@pytest.fixture
def register_config() -> Iterator[AuthConfig]:
    config = parse(
        {
            "providers": [
                {
                    "name": "p",
                    "issuer": "https://idp.example",
                    "client_id": "c",
                    "client_secret": "s",
                }
            ]
        },
        env={},
    )
    override_auth_config(config)
    yield config
    override_auth_config(None)


async def session_of(person_id: int, config: AuthConfig) -> str:
    person = await Person.get(id=person_id)
    provider = config.providers[0]
    value, _ = await signin.session_open(
        signin.SignedIn(person.id, person.name, None), provider, {"sub": f"s{person.id}"}, config
    )
    return value


async def test_a_submission_for_the_organisation_is_rechecked_and_audited_with_its_basis(
    db: str, register_config: AuthConfig
) -> None:
    company = await make_company()
    rep = await make_representative(company)
    project = await make_project(rep, organisation=company)
    app_id = await make_application(rep, project)
    cookie = await session_of(rep.person_id or 0, register_config)
    viewer = await signin.viewer_for_session(cookie)
    assert viewer is not None and viewer.represented == frozenset()  # nobody chosen yet
    assert viewer.may_act_for == {company.id}
    await signin.acting_for_select(viewer, company.id)
    viewer = await signin.viewer_for_session(cookie)
    assert viewer is not None and viewer.acting_for == company.id
    assert viewer.represented == {company.id}
    await app_actions.application_submit(viewer, app_id, 2)
    entry = await AuditEntry.get(action=AuditAction.SUBMISSION)
    assert entry.acting_for_id is None and entry.actor_id == rep.person_id
    assert entry.details["organisationId"] == company.id
    assert entry.details["basis"]["via"] == "session"
    assert entry.details["basis"]["mandate"]["service"] == "memberships"


async def test_a_lost_mandate_refuses_the_submission(db: str, register_config: AuthConfig) -> None:
    company = await make_company()
    rep = await make_representative(company)
    project = await make_project(rep, organisation=company)
    app_id = await make_application(rep, project)
    cookie = await session_of(rep.person_id or 0, register_config)
    viewer = await signin.viewer_for_session(cookie)
    assert viewer is not None
    await signin.acting_for_select(viewer, company.id)
    viewer = await signin.viewer_for_session(cookie)
    assert viewer is not None
    await membership_remove(
        await Person.get(id=rep.person_id),
        await Organisation.get(id=company.id),
        Role.CUSTOMER_REPRESENTATIVE,
    )
    stale = replace(viewer)  # what a request that started before the change still holds
    with pytest.raises(DomainError) as refused:
        await app_actions.application_submit(stale, app_id, 2)
    assert refused.value.code is ErrorCode.NO_MANDATE
    assert await AuditEntry.filter(action=AuditAction.SUBMISSION).count() == 0


async def test_only_an_organisation_of_the_mandate_can_be_chosen(
    db: str, register_config: AuthConfig
) -> None:
    company, other = await make_company(), await make_company()
    rep = await make_representative(company)
    cookie = await session_of(rep.person_id or 0, register_config)
    viewer = await signin.viewer_for_session(cookie)
    assert viewer is not None
    with pytest.raises(DomainError) as refused:
        await signin.acting_for_select(viewer, other.id)
    assert refused.value.code is ErrorCode.NO_MANDATE
    with pytest.raises(DomainError) as no_session:
        await signin.acting_for_select(rep.viewer, company.id)  # a token has no session
    assert no_session.value.code is ErrorCode.NOT_A_SESSION
