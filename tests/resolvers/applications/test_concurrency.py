"""Two tabs never silently overwrite each other: one wins, the others get STALE_VERSION."""

from __future__ import annotations

import asyncio

from models import Application, StatusChange
from tests.factories import GQL, gid, make_application, make_customer, make_project
from tests.resolvers.applications.operations import APPLICATION_SUBMIT, APPLICATION_UPDATE


async def test_concurrent_saves_with_the_same_version_have_one_winner(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id, content={})

    async def save(n: int) -> list[dict]:
        result = await gql(
            APPLICATION_UPDATE,
            {
                "input": {
                    "id": gid("Application", app_id),
                    "expectedVersion": 2,
                    "content": {"event_name": f"tab {n}"},
                }
            },
            token=customer.token,
        )
        return result["data"]["applicationUpdate"]["userErrors"]

    outcomes = await asyncio.gather(*(save(n) for n in range(10)))
    assert sum(1 for errors in outcomes if not errors) == 1
    assert all(errors[0]["code"] == "STALE_VERSION" for errors in outcomes if errors)
    app = await Application.get(id=app_id)
    assert app.version == 3
    winner = next(n for n, errors in enumerate(outcomes) if not errors)
    assert app.content == {"event_name": f"tab {winner}"}


async def test_concurrent_submits_submit_once(gql: GQL) -> None:
    customer = await make_customer()
    project_id = await make_project(customer)
    app_id = await make_application(customer, project_id)

    async def submit() -> list[dict]:
        result = await gql(
            APPLICATION_SUBMIT,
            {"input": {"id": gid("Application", app_id), "expectedVersion": 2}},
            token=customer.token,
        )
        return result["data"]["applicationSubmit"]["userErrors"]

    outcomes = await asyncio.gather(*(submit() for _ in range(8)))
    assert sum(1 for errors in outcomes if not errors) == 1
    assert await StatusChange.filter(application_id=app_id, to_status="NOT_STARTED").count() == 1
