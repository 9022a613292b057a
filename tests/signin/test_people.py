"""People from an issuer's claims: (issuer, subject), the blind index across issuers, names."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest
from tortoise import connections

from actions import signin
from actions.auth import blind_index
from actions.auth.config import parse
from models import Person, PersonCodeIndex
from models.settings import get_settings, override_settings

HETU = "131052-308T"
KEY1 = base64.b64encode(b"k" * 32).decode()
KEY2 = base64.b64encode(b"n" * 32).decode()


def provider(issuer: str):  # type: ignore[no-untyped-def]
    return parse(
        {
            "providers": [
                {
                    "name": "p",
                    "issuer": issuer,
                    "client_id": "c",
                    "client_secret": "s",
                    "hetu_claim": "hetu",
                }
            ]
        },
        env={},
    ).providers[0]


@pytest.fixture
def keys():  # type: ignore[no-untyped-def]
    original = get_settings()
    from models.settings import _hetu_keys

    override_settings(replace(original, hetu_index_keys=_hetu_keys(f"1:{KEY1}")))
    yield
    override_settings(original)


def test_hetu_check_character_and_form() -> None:
    assert blind_index.normalize_hetu(" 131052-308t ") == HETU
    assert blind_index.normalize_hetu("131052-308U") is None
    assert blind_index.normalize_hetu("321352-308T") is None
    assert blind_index.normalize_hetu(131052) is None


async def test_the_same_code_from_two_issuers_is_one_person_and_never_stored(
    db: str, keys: None
) -> None:
    first = await signin.sign_in(
        provider("https://a.example"), {"sub": "a1", "name": "Aino A", "hetu": HETU}
    )
    second = await signin.sign_in(
        provider("https://b.example"), {"sub": "b9", "name": "Aino Andersson", "hetu": HETU}
    )
    assert first.person_id == second.person_id
    assert (await Person.get(id=first.person_id)).name == "Aino Andersson"  # latest login
    conn = connections.get("default")
    for table in ("person", "person_identity", "person_code_index", "auth_session"):
        rows = await conn.execute_query_dict(f'SELECT * FROM "{table}"')
        assert HETU not in repr(rows) and HETU.replace("-", "") not in repr(rows)


async def test_rotating_the_key_finds_old_digests_and_rewrites_them(db: str, keys: None) -> None:
    person = await signin.sign_in(
        provider("https://a.example"), {"sub": "a1", "name": "A", "hetu": HETU}
    )
    from models.settings import _hetu_keys

    override_settings(replace(get_settings(), hetu_index_keys=_hetu_keys(f"2:{KEY2},1:{KEY1}")))
    again = await signin.sign_in(
        provider("https://c.example"), {"sub": "c1", "name": "A", "hetu": HETU}
    )
    assert again.person_id == person.person_id
    index = await PersonCodeIndex.get(person_id=person.person_id)
    assert index.key_version == 2
    assert index.digest == blind_index.digest(b"n" * 32, HETU)


async def test_without_a_code_people_are_told_apart_by_issuer_and_subject(db: str) -> None:
    a = await signin.sign_in(
        provider("https://a.example"), {"sub": "x", "given_name": "Ben", "family_name": "B"}
    )
    b = await signin.sign_in(provider("https://b.example"), {"sub": "x", "name": "Ben B"})
    assert a.person_id != b.person_id
    person = await Person.get(id=a.person_id)
    assert person.name == "Ben B" and person.email.endswith("@no-email.invalid")
