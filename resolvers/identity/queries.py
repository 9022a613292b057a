"""`viewer` and `node`."""

from __future__ import annotations

from collections.abc import Awaitable

import strawberry
from strawberry import relay

from actions.signin import session_mandates
from models.enums import Role
from models.ids import decode_global_id
from resolvers import planned
from resolvers.context import Info
from schema.application import Application
from schema.attachment import Attachment
from schema.authority_work import Message, Thread
from schema.catalogue import Authority, PermitKind, PermitType, ServiceBundle
from schema.common import IdArgument
from schema.identity import Organisation, Person, Viewer, language_of
from schema.outbox import OutboxItem
from schema.project import Project
from schema.statements import StatementRequest

NODE_TYPES: dict[str, type[relay.Node]] = {
    cls.__name__: cls
    for cls in (
        Application,
        Attachment,
        Authority,
        Message,
        Organisation,
        OutboxItem,
        PermitKind,
        PermitType,
        Person,
        Project,
        ServiceBundle,
        StatementRequest,
        Thread,
    )
}


async def viewer(info: Info) -> Viewer:
    current = info.context.viewer
    person_row = None
    if current.person_id is not None:
        person_row = await info.context.loaders.person.load(current.person_id)
    roles: list[tuple[int, Role]] = [
        (o, Role.CUSTOMER_REPRESENTATIVE) for o in sorted(current.represented)
    ]
    roles += [(a, Role.AUTHORITY_ADMIN) for a in sorted(current.admin_of)]
    roles += [(a, Role.AUTHORITY_HANDLER) for a in sorted(current.handler_of - current.admin_of)]
    mandates: list[tuple[int, str, list[str]]] = []
    selection_url = None
    if current.session_id is not None:
        service, roles_by_org, selection = await session_mandates(current.session_id)
        mandates = [
            (o, service, roles_by_org.get(str(o)) or [Role.CUSTOMER_REPRESENTATIVE.value])
            for o in sorted(current.may_act_for)
        ]
        selection_url = selection
    return Viewer(
        is_authenticated=current.is_authenticated,
        language=language_of(info.context.language),
        is_operator=current.is_operator,
        has_session=current.session_id is not None,
        mandate_selection_url=selection_url,
        person_row=person_row,
        system_authority_id=current.system_authority_id,
        organisation_roles=roles,
        acting_for_id=current.acting_for,
        mandates=mandates,
    )


async def node(info: Info, id: IdArgument) -> relay.Node | None:
    """Any object by its global id; null when it does not exist or the viewer may not see it."""
    decoded = decode_global_id(id)
    cls = None if decoded is None else NODE_TYPES.get(decoded[0])
    if decoded is None or cls is None:
        return None
    # the subtree of a project or an application is planned as at their own roots
    if decoded[0] == "Project":
        await planned.plan_projects(info, [decoded[1]], projects=True, type_name="Project")
    elif decoded[0] == "Application":
        await planned.plan_application(info, decoded[1])
    nodes = cls.resolve_nodes(info=info, node_ids=[str(decoded[1])])
    (found,) = await nodes if isinstance(nodes, Awaitable) else nodes
    return found


@strawberry.type
class IdentityQuery:
    """Query fields of this area: who is asking, and any object by id."""

    viewer: Viewer = strawberry.field(
        resolver=viewer, description="Who is asking, and for whom they may act."
    )
    node: relay.Node | None = strawberry.field(
        resolver=node,
        description="Any object by its global id; null if it does not exist or is not visible.",
    )
