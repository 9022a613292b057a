"""The matrix's queries run through both executors (tests/sameness.py)."""

from __future__ import annotations

import pytest
import pytest_asyncio

from tests import db as test_db
from tests.factories import GQL
from tests.sameness import BothWays, both_ways, reference_client

__all__ = ["both_ways", "gql", "reference_client"]


@pytest_asyncio.fixture
async def gql(both_ways: BothWays) -> GQL:
    return both_ways


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`sqlite_only` tests (the policy-mutation test: the policies are pure functions, the
    same on either database) are deselected in the PostgreSQL suite; deselected, not
    skipped, since LUUKKU_TEST_NO_SKIP=1 fails a run with a skip."""
    if not test_db.is_postgres():
        return
    dropped = [i for i in items if "sqlite_only" in i.keywords]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if "sqlite_only" not in i.keywords]
