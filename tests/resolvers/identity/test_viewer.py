from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from actions.identity import (
    membership_add,
    organisation_create,
    token_issue,
    token_revoke,
    viewer_for_person,
    viewer_for_token,
)
from models import ApiToken, Organisation
from models.business_id import is_valid_business_id, normalize_business_id
from models.enums import OrganisationKind, Role
from models.errors import DomainError, ErrorCode
from tests.factories import (
    GQL,
    make_company,
    make_customer,
    make_handler,
    make_person,
    make_representative,
    make_system,
)
from tests.sqlcount import count_queries

VIEWER = """
{ viewer { isAuthenticated language isOperator canActPersonally person { id name }
           authoritySystem { code }
           memberships { role organisation { name businessId } authority { code } } } }
"""


async def test_anonymous_viewer(gql: GQL) -> None:
    result = await gql(VIEWER)
    viewer = result["data"]["viewer"]
    assert (
        viewer["isAuthenticated"] is False
        and viewer["person"] is None
        and viewer["memberships"] == []
    )


async def test_representative_sees_for_whom_they_may_act(gql: GQL) -> None:
    company = await make_company()
    rep = await make_representative(company)
    result = await gql(VIEWER, token=rep.token)
    viewer = result["data"]["viewer"]
    assert viewer["isAuthenticated"] and viewer["canActPersonally"]
    assert viewer["person"]["name"] == rep.name
    assert viewer["memberships"] == [
        {
            "role": "CUSTOMER_REPRESENTATIVE",
            "organisation": {"name": company.name["fi"], "businessId": company.business_id},
            "authority": None,
        }
    ]


async def test_handler_and_system_viewers(gql: GQL) -> None:
    handler = await make_handler("helsinki-police")
    result = await gql(VIEWER, token=handler.token)
    assert result["data"]["viewer"]["memberships"][0]["authority"] == {"code": "helsinki-police"}
    system = await make_system("helsinki-public-areas")
    result = await gql(VIEWER, token=system.token)
    assert result["data"]["viewer"]["person"] is None
    assert result["data"]["viewer"]["authoritySystem"] == {"code": "helsinki-public-areas"}


async def test_a_token_is_read_in_one_statement_with_all_its_persons_memberships(
    db: str,
) -> None:
    # what a request pays before anything else when its viewer is not cached
    person = await make_person()
    company = await make_company()
    police = await Organisation.get(code="helsinki-police")
    rescue = await Organisation.get(code="pirkanmaa-rescue")
    await membership_add(person, company, Role.CUSTOMER_REPRESENTATIVE)
    await membership_add(person, police, Role.AUTHORITY_HANDLER)
    await membership_add(person, rescue, Role.AUTHORITY_ADMIN)
    expires_at = datetime.now(UTC) + timedelta(days=1)
    token = await token_issue(label="t", person=person, expires_at=expires_at)
    with count_queries() as counter:
        viewer = await viewer_for_token(token)
    assert counter.count == 1, counter.statements
    assert viewer is not None
    assert viewer.represented == {company.id}
    assert viewer.handler_of == {police.id, rescue.id} and viewer.admin_of == {rescue.id}
    assert viewer.expires_at == expires_at and viewer.token_id is not None
    # the same viewer as a person's own, but for the token's id and expiry
    own = await viewer_for_person(person)
    assert (own.represented, own.handler_of, own.admin_of) == (
        viewer.represented,
        viewer.handler_of,
        viewer.admin_of,
    )
    assert (own.person_id, own.name, own.language, own.is_operator) == (
        viewer.person_id,
        viewer.name,
        viewer.language,
        viewer.is_operator,
    )
    # a person without memberships, and a system token: one statement each
    customer = await token_issue(label="c", person=await make_person())
    system = await token_issue(label="s", authority=police)
    with count_queries() as counter:
        plain = await viewer_for_token(customer)
        by_system = await viewer_for_token(system)
    assert counter.count == 2
    assert plain is not None and plain.represented == plain.handler_of == frozenset()
    assert by_system is not None and by_system.system_authority_id == police.id


async def test_tokens_are_stored_only_as_hashes(db: str) -> None:
    person = await make_person()
    token = await token_issue(label="t", person=person)
    stored = await ApiToken.get(person_id=person.id)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(await ApiToken.all().values())


@pytest.mark.parametrize(
    "header", ["Bearer lk_nope", "Bearer ", "Basic abc", "Bearer " + "x" * 5000, "Bearer lk_\x7f"]
)
async def test_bad_tokens_get_401(gql: GQL, header: str) -> None:
    response = await gql.client.post(
        "/graphql",
        json={"query": "{ viewer { isAuthenticated } }"},
        headers={"Authorization": header},
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_revoked_and_expired_tokens_are_refused(gql: GQL) -> None:
    customer = await make_customer()
    await token_revoke((await ApiToken.get(person_id=customer.person_id)).id, datetime.now(UTC))
    response = await gql.client.post(
        "/graphql",
        json={"query": "{ viewer { isAuthenticated } }"},
        headers={"Authorization": f"Bearer {customer.token}"},
    )
    assert response.status_code == 401
    person = await make_person()
    expired = await token_issue(
        label="t", person=person, expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    response = await gql.client.post(
        "/graphql",
        json={"query": "{ viewer { isAuthenticated } }"},
        headers={"Authorization": f"Bearer {expired}"},
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("0201256-6", True),
        ("0211675-2", True),
        ("1572860-0", True),
        ("201256-6", True),
        ("0201256-5", False),
        ("0201256", False),
        ("02012566", False),
        ("abcdefg-1", False),
        ("", False),
    ],
)
def test_business_id_check_digit(value: str, valid: bool) -> None:
    assert is_valid_business_id(value) is valid


def test_six_digit_business_ids_are_padded() -> None:
    assert normalize_business_id("201256-6") == "0201256-6"


async def test_invalid_business_id_is_a_user_error(db: str) -> None:
    with pytest.raises(DomainError) as caught:
        await organisation_create(OrganisationKind.COMPANY, "Virhe Oy", "1234567-2")
    assert caught.value.code is ErrorCode.INVALID_BUSINESS_ID


async def test_cached_viewers_follow_membership_changes_at_once(gql: GQL) -> None:
    from actions.identity import membership_remove
    from models import Organisation, Person
    from models.enums import Role

    handler = await make_handler("helsinki-police")
    police = await Organisation.get(code="helsinki-police")
    first = await gql("{ viewer { memberships { role } } }", token=handler.token)
    assert first["data"]["viewer"]["memberships"] == [{"role": "AUTHORITY_HANDLER"}]
    await membership_remove(await Person.get(id=handler.person_id), police, Role.AUTHORITY_HANDLER)
    after = await gql("{ viewer { memberships { role } } }", token=handler.token)
    assert after["data"]["viewer"]["memberships"] == []
