"""Hidden versus missing (issue 10, item 5): the median time of asking for an object the
viewer may not see, for one that does not exist, for a forged id and for an old-format one,
through the API in process.

    LUUKKU_TEST_DATABASE=sqlite .venv/bin/python -m bench.existence [rounds]

Builds a small world in a fresh test database (as the tests do), warms up, then asks in
turn, `rounds` times each, for a hidden, a missing (a sealed id of a number no row has), a
forged (a random token) and a legacy (`<Type>:<n>` of the hidden object) application,
project and node, and prints the medians in milliseconds. Hidden and missing run the same
statements (tests/permissions/test_existence.py); forged and legacy ids none
(tests/hostile/test_sealed_ids.py). Only the key's holder can make a missing or hidden id:
without it, every id one can try is a forged one.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace

import httpx

from actions.storage import LocalStorage, set_storage
from app.main import create_app, start_services, stop_services
from models.ids import MAX_DB_ID, legacy_global_id
from models.settings import get_settings
from models.statuses import ApplicationStatus
from tests import db as test_db
from tests.factories import gid, make_application, make_customer, make_handler, make_project

CASES = {
    "application": ("query($id: ID!) { application(id: $id) { id } }", "Application"),
    "project": ("query($id: ID!) { project(id: $id) { id } }", "Project"),
    "node": ("query($id: ID!) { node(id: $id) { id } }", "Application"),
}


async def main(rounds: int) -> None:
    server = test_db.test_server()
    url = await test_db.create_database(server)
    folder = tempfile.mkdtemp(prefix="luukku-bench-")
    set_storage(LocalStorage(folder))
    try:
        await test_db.start(url)
        await start_services(replace(get_settings(), outbox_in_process=False))
        owner = await make_customer()
        project_id = await make_project(owner)
        police = await make_handler("helsinki-police")
        app_id = await make_application(
            owner, project_id, status=ApplicationStatus.NOT_STARTED, handler=police
        )
        stranger = await make_customer()
        ids = {"Application": app_id, "Project": project_id}
        app = create_app(manage_db=False)
        headers = {"Authorization": f"Bearer {stranger.token}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            for name, (query, type_name) in CASES.items():
                token = base64.urlsafe_b64encode(secrets.token_bytes(15)).decode()
                variables = {
                    "hidden": {"id": gid(type_name, ids[type_name])},
                    "missing": {"id": gid(type_name, MAX_DB_ID)},
                    "forged": {"id": base64.b64encode(f"{type_name}:{token}".encode()).decode()},
                    "legacy": {"id": legacy_global_id(type_name, ids[type_name])},
                }
                times: dict[str, list[float]] = {kind: [] for kind in variables}
                kinds = list(variables)
                for i in range(rounds + 20):
                    for kind in kinds[i % 4 :] + kinds[: i % 4]:
                        started = time.perf_counter()
                        response = await client.post(
                            "/graphql",
                            json={"query": query, "variables": variables[kind]},
                            headers=headers,
                        )
                        elapsed = (time.perf_counter() - started) * 1000
                        assert response.json()["data"] == {name: None}, response.text
                        if i >= 20:  # warm-up
                            times[kind].append(elapsed)
                medians = "   ".join(
                    f"{kind} {statistics.median(times[kind]):6.2f} ms" for kind in kinds
                )
                print(f"{name:12} {medians}   (n={rounds})")
    finally:
        await stop_services()
        await test_db.stop()
        await test_db.drop_database(server, url)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
