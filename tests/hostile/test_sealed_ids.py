"""Ids that cannot be guessed or counted (issue 10, item 5).

A global id seals its database id with the installation's key (models/ids.py): walking
`Application:1, 2, 3 …` finds nothing, a forged or altered id is refused before the
database is asked, an id of one type is no id of another, and ids of the old, unsealed
format are read only when LUUKKU_LEGACY_IDS=accept (and then as strictly as before).
"""

from __future__ import annotations

import base64
import itertools
import secrets
from collections.abc import Iterator
from dataclasses import replace

import pytest
from graphql import GraphQLObjectType
from strawberry.types.base import StrawberryObjectDefinition

from models import settings as settings_module
from models.ids import (
    MAX_DB_ID,
    IdCodec,
    decode_global_id,
    global_id,
    legacy_global_id,
    sealed_token,
)
from models.settings import DEVELOPMENT_ID_KEY, Settings, SettingsError, get_settings
from models.statuses import ApplicationStatus
from resolvers.identity.queries import NODE_TYPES
from schema.node import Node
from schema.root import schema
from tests.factories import GQL, make_application, make_customer, make_project
from tests.hostile.test_odd_ids import ODD_LOCAL_PARTS, _b64
from tests.sqlcount import count_queries

S = schema._schema
KEY = base64.b64encode(b"a test key of thirty-two bytes!!").decode()


@pytest.fixture
def legacy_accepted(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(settings_module, "_settings", replace(get_settings(), legacy_ids=True))
    yield


def _raw(value: str) -> str:
    return base64.b64decode(value).decode()


def test_an_id_names_its_type_and_seals_the_rest() -> None:
    value = global_id("Application", 12)
    type_name, colon, token = _raw(value).partition(":")
    assert (type_name, colon, len(token)) == ("Application", ":", 20)
    assert "12" not in token
    assert decode_global_id(value) == ("Application", 12)
    assert decode_global_id(global_id("Project", MAX_DB_ID)) == ("Project", MAX_DB_ID)
    assert global_id("Application", 12) == value  # the same object, the same id


def test_a_key_seals_the_same_tokens_in_every_version() -> None:
    """Known answers: ids sent in mails and kept in bookmarks and authority systems stay
    valid only while the construction stays the same, however it is computed."""
    codec = IdCodec(b"luukku-known-answer-key-0123456789")
    assert codec.token("Application", 12) == "42iczZ8xxmAtX-IMmUW4"
    assert codec.token("Project", MAX_DB_ID) == "TU39oXN-7Kbuuvd1jqnn"
    assert codec.token("Person", 1) == "HLnXLbeUvigVZjeWq5kB"
    assert codec.open("Application", "42iczZ8xxmAtX-IMmUW4") == 12
    assert codec.open("Project", "42iczZ8xxmAtX-IMmUW4") is None


def test_neighbours_share_nothing() -> None:
    """Consecutive ids look unrelated: they differ in about as many characters as random
    tokens do (19.7 of 20 on average), never in only a few."""
    tokens = [sealed_token("Application", n) for n in range(1, 201)]
    assert len(set(tokens)) == 200
    distances = [
        sum(x != y for x, y in zip(a, b, strict=True)) for a, b in itertools.pairwise(tokens)
    ]
    assert min(distances) >= 12
    assert sum(distances) / len(distances) >= 18.5


def test_walking_the_numbers_finds_nothing() -> None:
    """The old way to count objects: every `<Type>:<n>` is refused."""
    for n in range(1, 500):
        assert decode_global_id(legacy_global_id("Application", n)) is None
        assert decode_global_id(legacy_global_id("Project", n)) is None


def test_forged_and_altered_ids_are_refused() -> None:
    value = global_id("Application", 12)
    token = _raw(value).partition(":")[2]
    raw = bytearray(base64.urlsafe_b64decode(token))
    for i in range(len(raw)):  # any one bit changed, in the tag or the sealed id
        for bit in range(8):
            altered = bytearray(raw)
            altered[i] ^= 1 << bit
            forged = base64.urlsafe_b64encode(bytes(altered)).decode()
            assert decode_global_id(_b64(f"Application:{forged}")) is None
    for _ in range(2000):
        random_token = base64.urlsafe_b64encode(secrets.token_bytes(15)).decode()
        assert decode_global_id(_b64(f"Application:{random_token}")) is None
    # another type's label on the same token
    assert decode_global_id(_b64(f"Project:{token}")) is None
    assert decode_global_id(_b64(f"Application:{token[:-1]}")) is None
    assert decode_global_id(_b64(f"Application:{token}A")) is None


def test_another_key_opens_nothing() -> None:
    other = IdCodec(b"another installation's key, 32 bytes")
    token = sealed_token("Application", 12)
    assert other.open("Application", token) is None
    assert other.open("Application", other.token("Application", 12)) == 12
    assert other.token("Application", 12) != token


def test_legacy_ids_are_read_only_when_accepted(legacy_accepted: None) -> None:
    assert decode_global_id(legacy_global_id("Application", 12)) == ("Application", 12)
    assert decode_global_id(global_id("Application", 12)) == ("Application", 12)
    for local in ODD_LOCAL_PARTS:
        assert decode_global_id(_b64(f"Application:{local}")) is None, local


def test_the_key_is_a_setting_and_production_needs_its_own() -> None:
    assert Settings.from_env({}).id_key == DEVELOPMENT_ID_KEY
    with pytest.raises(SettingsError, match="LUUKKU_ID_KEY must be set in production"):
        Settings.from_env({"LUUKKU_ENV": "production"})
    production = Settings.from_env({"LUUKKU_ENV": "production", "LUUKKU_ID_KEY": KEY})
    assert production.id_key == base64.b64decode(KEY)
    assert production.legacy_ids is False
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(SettingsError, match="LUUKKU_ID_KEY"):
            Settings.from_env({"LUUKKU_ID_KEY": bad})
    assert Settings.from_env({"LUUKKU_LEGACY_IDS": "accept"}).legacy_ids is True
    with pytest.raises(SettingsError, match="LUUKKU_LEGACY_IDS"):
        Settings.from_env({"LUUKKU_LEGACY_IDS": "maybe"})


def test_the_configured_key_seals(monkeypatch: pytest.MonkeyPatch) -> None:
    before = global_id("Application", 12)
    keyed = replace(get_settings(), id_key=base64.b64decode(KEY))
    monkeypatch.setattr(settings_module, "_settings", keyed)
    after = global_id("Application", 12)
    assert after != before and decode_global_id(before) is None
    assert decode_global_id(after) == ("Application", 12)


def test_every_node_type_seals_its_id() -> None:
    """Every object type of the schema that implements Node derives from schema.node.Node."""
    implementing = [
        t
        for t in S.type_map.values()
        if isinstance(t, GraphQLObjectType)
        and S.is_sub_type(
            S.type_map["Node"],
            t,  # type: ignore[arg-type]
        )
    ]
    classes = {}
    for graphql_type in implementing:
        definition = schema.get_type_by_name(graphql_type.name)
        assert isinstance(definition, StrawberryObjectDefinition)
        classes[graphql_type.name] = definition.origin
    assert set(NODE_TYPES) == set(classes)
    unsealed = sorted(name for name, cls in classes.items() if not issubclass(cls, Node))
    assert unsealed == []
    # Node's `id` names the type by its class (schema/node.py `_node_id`): the same name
    assert sorted(name for name, cls in classes.items() if cls.__name__ != name) == []


Q = """query($id: ID!) {
  project(id: $id) { id applications { nodes { id permitType { id authority { id } } } } }
}"""


async def test_the_api_hands_out_sealed_ids_and_reads_them_back(gql: GQL) -> None:
    owner = await make_customer()
    project_id = await make_project(owner)
    app_id = await make_application(owner, project_id, status=ApplicationStatus.NOT_STARTED)
    data = await gql(Q, {"id": global_id("Project", project_id)}, token=owner.token)
    project = data["data"]["project"]
    assert decode_global_id(project["id"]) == ("Project", project_id)
    (application,) = project["applications"]["nodes"]
    assert decode_global_id(application["id"]) == ("Application", app_id)
    for value in (application["permitType"]["id"], application["permitType"]["authority"]["id"]):
        assert decode_global_id(value) is not None and ":" in _raw(value)
        assert not _raw(value).partition(":")[2].isdigit()
    found = await gql(
        "query($id: ID!) { node(id: $id) { id } }", {"id": application["id"]}, token=owner.token
    )
    assert found["data"]["node"] == {"id": application["id"]}


async def test_a_forged_id_asks_the_database_nothing(gql: GQL) -> None:
    owner = await make_customer()
    project_id = await make_project(owner)
    await gql("{ viewer { isAuthenticated } }", token=owner.token)  # the viewer, cached
    forged = _b64("Project:" + base64.urlsafe_b64encode(secrets.token_bytes(15)).decode())
    for value in (forged, legacy_global_id("Project", project_id)):
        with count_queries() as counter:
            body = await gql(
                "query($id: ID!) { project(id: $id) { id } }", {"id": value}, token=owner.token
            )
        assert body["data"] == {"project": None}
        assert counter.statements == [], counter.statements


async def test_old_links_keep_working_when_accepted(gql: GQL, legacy_accepted: None) -> None:
    owner = await make_customer()
    project_id = await make_project(owner)
    body = await gql(
        "query($id: ID!) { project(id: $id) { id } }",
        {"id": legacy_global_id("Project", project_id)},
        token=owner.token,
    )
    # found by its old id, and answered with its sealed one
    assert body["data"]["project"] == {"id": global_id("Project", project_id)}
