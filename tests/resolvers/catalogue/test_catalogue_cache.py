"""The catalogue in memory: no queries for it per request, dropped when the catalogue loads."""

from __future__ import annotations

import asyncio

from actions.catalogue import load_catalogue
from notifications.bus import get_bus
from notifications.events import catalogue_channel
from resolvers.catalogue_cache import catalogue_cache
from tests.factories import GQL
from tests.sqlcount import count_queries

QUERY = "{ permitTypes(first: 3) { nodes { code authority { code municipalities { code } } kind { code } } } }"


async def test_catalogue_rows_are_read_once_per_snapshot(gql: GQL) -> None:
    await gql(QUERY)
    with count_queries() as counter:
        await gql(QUERY)
    assert not any('"permit_kind"' in s or '"municipality"' in s for s in counter.statements)


async def test_loading_the_catalogue_drops_the_snapshot_here_and_elsewhere(gql: GQL) -> None:
    await gql(QUERY)
    loads = catalogue_cache.loads
    await load_catalogue()  # in this process: at once
    assert catalogue_cache.current() is None
    await gql(QUERY)
    assert catalogue_cache.loads == loads + 1
    await get_bus().publish(catalogue_channel(), "{}")  # as another process would
    for _ in range(100):
        if catalogue_cache.current() is None:
            break
        await asyncio.sleep(0.01)
    assert catalogue_cache.current() is None


async def test_an_applications_permit_type_and_authority_are_built_once_per_snapshot(
    db: str,
) -> None:
    from resolvers.loaders import Loaders
    from schema.catalogue import Authority, PermitType

    snapshot = await catalogue_cache.get()
    permit_type_id = min(snapshot.permit_types)
    authority_id = min(snapshot.authorities)
    first, second = Loaders(), Loaders()  # two requests
    built = await first.permit_type.shared(permit_type_id, PermitType.from_row)
    assert built is not None and built.code == snapshot.permit_types[permit_type_id]["code"]
    assert await second.permit_type.shared(permit_type_id, PermitType.from_row) is built
    authority = await first.organisation.shared(authority_id, Authority.from_row)
    assert authority is not None and authority.id == authority_id
    assert await second.organisation.shared(authority_id, Authority.from_row) is authority
    assert await first.permit_type.shared(-1, PermitType.from_row) is None
    await load_catalogue()  # a new snapshot builds them again
    again = await Loaders().permit_type.shared(permit_type_id, PermitType.from_row)
    assert again is not built and again == built
