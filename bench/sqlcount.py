"""SQL statements per request, counted in-process (Tortoise logs each one at DEBUG).

Runs in its own process per database (Tortoise's connections are process-wide):

    python -m bench.sqlcount <database url> <requests json>

where the JSON is a list of {"name", "query", "variables", "token"}. Prints one line
`COUNTS {json}`: per request the number of statements, the statements themselves (their
first 200 characters) and the response size.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from typing import Any

import httpx

from tests.sqlcount import QueryCounter


def _what(statement: str) -> str:
    """`SELECT project`, `INSERT audit_entry`, ...: the verb and the first table."""
    verb = statement.split(None, 1)[0].upper() if statement.strip() else "?"
    match = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', statement)
    return f"{verb} {match.group(1)}" if match else verb


async def count(url: str, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from app.db import close_db, init_db
    from app.main import create_app
    from notifications.bus import start_bus, stop_bus

    await init_db(url)
    await start_bus("memory://")
    logger = logging.getLogger("tortoise.db_client")
    counter = QueryCounter()
    logger.addHandler(counter)
    results = []
    try:
        app = create_app(manage_db=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for request in requests:
                headers = {"Authorization": f"Bearer {request['token']}"}
                body = {"query": request["query"], "variables": request.get("variables") or {}}
                # once to warm caches (parser, validation, prepared statements), once counted
                await client.post("/graphql", json=body, headers=headers)
                counter.statements.clear()
                logger.setLevel(logging.DEBUG)
                response = await client.post("/graphql", json=body, headers=headers)
                logger.setLevel(logging.WARNING)
                data = response.json()
                results.append(
                    {
                        "name": request["name"],
                        "status": response.status_code,
                        "errors": data.get("errors"),
                        "bytes": len(response.content),
                        "count": len(counter.statements),
                        "statements": [s[:200] for s in counter.statements],
                        "tables": [_what(s) for s in counter.statements],
                    }
                )
    finally:
        logger.removeHandler(counter)
        await stop_bus()
        await close_db()
    return results


def main() -> None:
    url, raw = sys.argv[1], sys.argv[2]
    results = asyncio.run(count(url, json.loads(raw)))
    print("COUNTS " + json.dumps(results))


if __name__ == "__main__":
    main()
