"""`viewer` and `node`."""

from __future__ import annotations

from strawberry import relay
from strawberry.relay import GlobalID

from actions.signin import session_mandates
from models.enums import Role
from resolvers.context import Info
from schema.application import Application
from schema.catalogue import Authority, PermitKind, PermitType, ServiceBundle
from schema.common import IdArgument
from schema.identity import Organisation, Person, Viewer, language_of
from schema.node import MAX_DB_ID
from schema.project import Project

NODE_TYPES: dict[str, type[relay.Node]] = {
    cls.__name__: cls
    for cls in (
        Application,
        Authority,
        Organisation,
        PermitKind,
        PermitType,
        Person,
        Project,
        ServiceBundle,
    )
}


async def viewer(info: Info) -> Viewer:
    current = info.context.viewer
    person_row = None
    if current.person_id is not None:
        person_row = await info.context.loaders.person.load(current.person_id)
    roles: list[tuple[int, str]] = [
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
    try:
        global_id = GlobalID.from_id(id)
    except Exception:
        return None
    cls = NODE_TYPES.get(global_id.type_name)
    if cls is None or not global_id.node_id.isdigit() or int(global_id.node_id) > MAX_DB_ID:
        return None
    (found,) = await cls.resolve_nodes(info=info, node_ids=[global_id.node_id])  # type: ignore[misc]
    return found
