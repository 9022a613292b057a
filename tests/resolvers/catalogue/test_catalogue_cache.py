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
