"""The catalogue in memory: no queries for it per request, dropped when the catalogue loads."""

from __future__ import annotations

import asyncio

import pytest

import resolvers.catalogue_cache as cache_module
from actions.catalogue import load_catalogue
from notifications.bus import get_bus
from notifications.events import catalogue_channel
from resolvers.catalogue_cache import Snapshot, catalogue_cache
from tests.factories import GQL
from tests.sqlcount import count_queries
from tests.turns import finishing_turns

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


async def test_every_caller_waiting_for_a_read_is_woken_at_once_by_one_read(db: str) -> None:
    # under load, thousands of field resolvers wait for the snapshot when it is dropped;
    # woken one per loop iteration, they held requests for seconds
    await catalogue_cache.get()
    catalogue_cache.invalidate()
    loads = catalogue_cache.loads
    with count_queries() as counter:
        finished = await finishing_turns(300, catalogue_cache.get)
    assert catalogue_cache.loads == loads + 1
    assert len(counter.statements) == 5  # one read of the five tables
    assert max(finished) - min(finished) <= 2, sorted(set(finished))


async def test_an_expired_snapshot_is_served_while_it_is_read_again(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = await catalogue_cache.get()
    loads = catalogue_cache.loads
    monkeypatch.setattr(catalogue_cache, "ttl", 0.0)  # expired at once
    reader = asyncio.create_task(catalogue_cache.get())
    await asyncio.sleep(0)  # it has begun to read
    assert not reader.done()
    assert await catalogue_cache.get() is old  # without waiting for the read
    fresh = await reader
    assert fresh is not old and fresh == old
    assert catalogue_cache.loads == loads + 1


async def test_when_the_reader_is_cancelled_or_fails_the_others_do_not_hang(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue_cache.invalidate()
    reader = asyncio.create_task(catalogue_cache.get())
    await asyncio.sleep(0)
    waiter = asyncio.create_task(catalogue_cache.get())
    await asyncio.sleep(0)
    reader.cancel()
    assert isinstance(await waiter, Snapshot)  # it read the catalogue itself
    with pytest.raises(asyncio.CancelledError):
        await reader

    async def failing() -> Snapshot:
        await asyncio.sleep(0)
        raise OSError("database down")

    catalogue_cache.invalidate()
    monkeypatch.setattr(cache_module, "_load", failing)
    results = await asyncio.gather(
        *(catalogue_cache.get() for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, OSError) for r in results)
    monkeypatch.undo()
    assert isinstance(await catalogue_cache.get(), Snapshot)  # the next call reads again
