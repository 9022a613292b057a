"""Every attachment test starts with an empty attachment store."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import pytest_asyncio

from actions.storage import LocalStorage, get_storage


@pytest_asyncio.fixture(autouse=True)
async def empty_store(db: str) -> AsyncIterator[None]:
    store = get_storage()
    if isinstance(store, LocalStorage):
        shutil.rmtree(store.root, ignore_errors=True)
        await store.open()
    else:
        await store.open()
        await store.pool.execute(  # type: ignore[attr-defined]
            "SELECT lo_unlink(oid) FROM luukku_blob; DELETE FROM luukku_blob"
        )
    yield
