"""Over WebSocket every error is coded and masked as over HTTP, and no operation ends with a
bare `complete` when it failed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from models import settings as settings_module
from models.settings import get_settings
from resolvers.catalogue import queries
from tests.factories import make_customer
from tests.hostile.test_document_limits import fan_out
from tests.subscriptions.wsclient import Socket, connect, ws_client


async def _answer(socket: Socket, query: str) -> list[dict[str, Any]]:
    """Every message of one operation, up to its `complete` or `error`."""
    op_id = await socket.subscribe(query)
    messages = []
    while True:
        message = await socket.next()
        assert message.get("id") == op_id, message
        messages.append(message)
        if message["type"] in ("complete", "error"):
            return messages


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ ...Missing }", "GRAPHQL_VALIDATION_FAILED"),
        ("subscription { ...Missing }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ viewer {", "GRAPHQL_PARSE_FAILED"),
        ("{ viewer \u0000 }", "GRAPHQL_PARSE_FAILED"),
        ("{ " + "viewer { isAuthenticated } " * 600 + "}", "MAX_TOKENS_EXCEEDED"),
        (fan_out(40), "MAX_COST_EXCEEDED"),
    ],
)
async def test_refused_documents_get_a_coded_error_and_the_socket_stays(
    db: str, query: str, code: str
) -> None:
    customer = await make_customer()
    async with ws_client() as client, connect(client, customer.token) as socket:
        messages = await _answer(socket, query)
        assert [m["type"] for m in messages] == ["error"], messages
        assert {e["extensions"]["code"] for e in messages[0]["payload"]} == {code}
        # the connection goes on: one bad document does not end the client's other work
        after = await _answer(socket, "{ viewer { isAuthenticated } }")
        assert after[0]["payload"] == {"data": {"viewer": {"isAuthenticated": True}}}


async def test_bugs_are_masked_over_websocket_in_production(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = await make_customer()

    def broken() -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(queries.BundleModel, "all", broken)
    monkeypatch.setattr(
        settings_module, "_settings", replace(get_settings(), environment="production")
    )
    async with ws_client() as client, connect(client, customer.token) as socket:
        messages = await _answer(socket, "{ serviceBundles { code } }")
    assert messages[0]["type"] == "next"
    errors = messages[0]["payload"]["errors"]
    assert errors == [
        {
            "message": "Unexpected error.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["serviceBundles"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    ]
    assert "secret" not in str(messages)


async def test_an_oversized_websocket_message_closes_the_socket(db: str) -> None:
    customer = await make_customer()
    big = "{ __typename }" + " " * get_settings().ws_max_message_bytes
    async with ws_client() as client, connect(client, customer.token) as socket:
        await socket.subscribe(big)
        assert await socket.closed() == 4400
