"""The fuzz suite's world: the demo (`luukku demo seed`), with planted markers.

Markers are planted where only some roles may look: in the content of an unshared draft
and in a message of its discussion. Which roles may see each is asked of the policies, once;
the fuzzer then checks that no other role ever receives a marker, whatever it sends.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from actions.applications import application_update
from actions.authority import message_post
from actions.demo import example_content, seed_demo
from actions.identity import viewer_for_person
from models import (
    Application,
    Message,
    Organisation,
    OutboxItem,
    PermitType,
    Person,
    Project,
    ServiceBundle,
    Thread,
)
from permissions import policies
from permissions.facts import ANONYMOUS, ApplicationFacts, ThreadFacts, Viewer
from resolvers.loaders import Loaders
from resolvers.viewer import viewer_for_token
from schema.node import encode_id


@dataclass(frozen=True)
class Role:
    key: str
    token: str | None
    viewer: Viewer
    #: the markers this role may see
    may_see: frozenset[str]
    #: global ids the fuzzer uses as this role (valid ones, so that it reaches real objects)
    ids: tuple[str, ...]


@dataclass(frozen=True)
class World:
    roles: tuple[Role, ...]
    markers: frozenset[str]


def _plain_string(schema: dict[str, Any]) -> str | None:
    """A top-level free-text property of a form (no pattern, format or enum)."""
    for name, prop in schema.get("properties", {}).items():
        if prop.get("type") == "string" and not ({"pattern", "format", "enum"} & set(prop)):
            return str(name)
    return None


async def build_world() -> World:
    tokens = await seed_demo()
    content_marker = "FZC" + secrets.token_hex(6).upper()
    thread_marker = "FZT" + secrets.token_hex(6).upper()
    noise = await PermitType.get(code="helsinki-noise-notification")
    draft = await Application.get(permit_type_id=noise.id)
    owner = await Person.get(id=draft.created_by_id)
    owner_viewer = await viewer_for_person(owner)
    content = example_content(noise.form_schema)
    field = _plain_string(noise.form_schema)
    assert field is not None, "the noise notification form has no free-text field"
    content[field] = f"{content_marker} {content[field]}"[:100]
    await application_update(owner_viewer, draft.id, draft.version, content)
    thread = await Thread.get(application_id=draft.id)
    await message_post(owner_viewer, thread.id, f"{thread_marker} luottamuksellinen")

    row = (await Application.filter(id=draft.id).values())[0]
    facts = ApplicationFacts.from_row(row)
    project = await Loaders().project_facts(draft.project_id)
    assert project is not None
    thread_facts = ThreadFacts(thread.id, draft.project_id, facts)

    ids = await _all_ids()
    draft_id = encode_id("Application", draft.id)
    roles = []
    for token in [*tokens, None]:
        viewer = ANONYMOUS if token is None else await viewer_for_token(token.token)
        assert viewer is not None
        may_see = set()
        if policies.can_read_application_content(viewer, facts, project):
            may_see.add(content_marker)
        if policies.can_read_thread(viewer, thread_facts, project):
            may_see.add(thread_marker)
        # a role that may see a marker could also make it visible to others (share or
        # submit the draft): it does not get the draft's id
        usable = tuple(i for i in ids if not (may_see and i == draft_id))
        roles.append(
            Role(
                key="anonymous" if token is None else token.key,
                token=None if token is None else token.token,
                viewer=viewer,
                may_see=frozenset(may_see),
                ids=usable,
            )
        )
    return World(tuple(roles), frozenset({content_marker, thread_marker}))


async def _all_ids() -> list[str]:
    ids: list[str] = []
    for type_name, model in (
        ("Project", Project),
        ("Application", Application),
        ("Thread", Thread),
        ("Message", Message),
        ("Person", Person),
        ("Organisation", Organisation),
        ("Authority", Organisation),
        ("PermitType", PermitType),
        ("ServiceBundle", ServiceBundle),
        ("PermitKind", __import__("models").PermitKind),
        ("OutboxItem", OutboxItem),
    ):
        for pk in await model.all().order_by("id").limit(40).values_list("id", flat=True):
            ids.append(encode_id(type_name, int(pk)))  # type: ignore[arg-type]
    return ids
