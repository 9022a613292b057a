"""Query, Mutation and Subscription, and the schema with its extensions."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from models.settings import get_settings
from resolvers.applications.mutations import ApplicationMutation
from resolvers.applications.queries import ApplicationQuery
from resolvers.attachments.mutations import AttachmentMutation
from resolvers.authority.mutations import AuthorityMutation
from resolvers.authority.queries import AuditQuery, InboxQuery
from resolvers.catalogue.queries import CatalogueQuery
from resolvers.identity.mutations import IdentityMutation
from resolvers.identity.queries import IdentityQuery
from resolvers.live.subscriptions import LiveSubscription
from resolvers.outbox.queries import OutboxMutation, OutboxQuery
from resolvers.projects.mutations import ProjectMutation
from resolvers.projects.queries import ProjectQuery
from resolvers.statements.mutations import StatementMutation
from resolvers.statements.queries import StatementQuery
from resolvers.statistics.queries import StatisticsQuery
from resolvers.threads.mutations import ThreadMutation
from schema.audit import AuditReads
from schema.checks import DocumentChecks
from schema.csrf import CsrfGuard
from schema.errors import LuukkuSchema
from schema.events import EVENT_TYPES
from schema.operation import FreshLoaders
from schema.scalars import SCALAR_MAP
from schema.sharing import GraphQLCoreSharingExecutionContext, SharingExecutionContext


def compose(name: str, areas: tuple[type, ...], description: str) -> type:
    """The root type `name` with the fields of every area, in the areas' order.

    What `strawberry.tools.merge_types` does (the areas become the bases), with a
    description: a new query or mutation is added to its area only.
    """
    return strawberry.type(type(name, areas, {}), description=description)


QUERY_AREAS = (
    IdentityQuery,
    CatalogueQuery,
    StatisticsQuery,
    ProjectQuery,
    ApplicationQuery,
    InboxQuery,
    StatementQuery,
    AuditQuery,
    OutboxQuery,
)
Query = compose(
    "Query",
    QUERY_AREAS,
    "Read Luukku: the public catalogue, and what the viewer may see.",
)

MUTATION_AREAS = (
    IdentityMutation,
    ProjectMutation,
    ApplicationMutation,
    AuthorityMutation,
    StatementMutation,
    AttachmentMutation,
    ThreadMutation,
    OutboxMutation,
)
Mutation = compose(
    "Mutation",
    MUTATION_AREAS,
    "Change Luukku. Every mutation takes one input and returns userErrors.",
)

SUBSCRIPTION_AREAS = (LiveSubscription,)
Subscription = compose(
    "Subscription",
    SUBSCRIPTION_AREAS,
    "Live tracking over graphql-transport-ws. Authenticate in connection_init: "
    '{"authorization": "Bearer <token>"}.',
)


def build_schema(executor: str | None = None, planner: bool | None = None) -> LuukkuSchema:
    """The schema; `executor` ("compiled" or "graphql-core") defaults to LUUKKU_EXECUTOR,
    `planner` (planned loading at the project roots, resolvers/planned.py) to
    LUUKKU_PLANNER."""
    executor = executor or get_settings().executor
    built = LuukkuSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        execution_context_class=SharingExecutionContext
        if executor == "compiled"
        else GraphQLCoreSharingExecutionContext,
        types=list(EVENT_TYPES),
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=[
            FreshLoaders,
            CsrfGuard,
            # parsing, limits and validation, linear in the document and cached (checks.py);
            # codes and masking of every error are in LuukkuSchema (errors.py)
            DocumentChecks,
            AuditReads,
        ],
    )
    built.planner = get_settings().planner if planner is None else planner
    return built


schema = build_schema()
