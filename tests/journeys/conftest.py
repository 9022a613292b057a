"""The journeys' queries run through both executors (tests/sameness.py)."""

from __future__ import annotations

import pytest_asyncio

from tests.factories import GQL
from tests.sameness import BothWays, both_ways, reference_client

__all__ = ["both_ways", "gql", "reference_client"]


@pytest_asyncio.fixture
async def gql(both_ways: BothWays) -> GQL:
    return both_ways
