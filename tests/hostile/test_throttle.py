"""Throttling: failed authentication and expensive operations, per client address and
account, shared by every worker through the database or Redis; 429 with Retry-After."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
import pytest_asyncio

from app.main import create_app
from app.security import client_address
from app.throttle import DatabaseStore, RedisStore, Rule, Throttle, Throttled, throttle
from models import settings as settings_module
from models.settings import Settings, get_settings
from tests.factories import make_customer
from tests.sqlcount import count_queries
from tests.subscriptions.wsclient import connect, ws_client

REDIS_URL = os.environ.get("LUUKKU_TEST_REDIS", "redis://127.0.0.1:6379/0")
QUERY = {"query": "{ viewer { isAuthenticated } }"}


def _client(address: str) -> httpx.AsyncClient:
    app = create_app(manage_db=False)
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest_asyncio.fixture
async def fresh_throttle(db: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Throttle]:
    throttle.configure(get_settings())  # no blocked keys remembered from other tests
    # one window for the whole test, ending a full window after each count: a test's
    # attempts on a slow machine may span the wall clock's window boundary, and then
    # neither half reaches the limit (the counting and blocking stay the real ones)
    monkeypatch.setattr(Rule, "bucket", lambda rule, now: (0, now + rule.window))
    yield throttle
    throttle.configure(get_settings())


async def test_failed_tokens_are_throttled_and_a_valid_user_stays_fast(
    fresh_throttle: Throttle,
) -> None:
    limit, window = get_settings().throttle_auth
    customer = await make_customer()
    async with _client("203.0.113.7") as attacker, _client("198.51.100.2") as user:
        for i in range(limit):
            bad = await attacker.post(
                "/graphql", json=QUERY, headers={"Authorization": f"Bearer lk_bad{i}"}
            )
            assert bad.status_code == 401
        with count_queries() as counted:
            refused = await attacker.post(
                "/graphql", json=QUERY, headers={"Authorization": "Bearer lk_more"}
            )
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= window
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert counted.count == 0  # no token lookup, not even the store: this process knows
        # even a valid token waits at that address until the window ends
        blocked = await attacker.post(
            "/graphql", json=QUERY, headers={"Authorization": f"Bearer {customer.token}"}
        )
        assert blocked.status_code == 429
        # another address is not slowed at all: a known token costs no throttle work
        first = await user.post(
            "/graphql", json=QUERY, headers={"Authorization": f"Bearer {customer.token}"}
        )
        assert first.json() == {"data": {"viewer": {"isAuthenticated": True}}}
        with count_queries() as counted:
            again = await user.post(
                "/graphql", json=QUERY, headers={"Authorization": f"Bearer {customer.token}"}
            )
        assert again.status_code == 200
        assert not [s for s in counted.statements if "throttle" in s], counted.statements


async def test_throttled_sockets_are_refused(fresh_throttle: Throttle) -> None:
    limit, _ = get_settings().throttle_auth
    async with ws_client() as client:
        for i in range(limit + 1):
            async with connect(
                client, None, params={"authorization": f"Bearer lk_bad{i}"}, expect_ack=False
            ) as socket:
                assert await socket.closed() == 4403
    with pytest.raises(Throttled):
        await throttle._check_keys("auth", ["address:127.0.0.1"])


async def test_the_database_store_is_shared_by_workers(db: str) -> None:
    settings = replace(get_settings(), throttle_store="database", throttle_auth=(3, 60))
    one, two = Throttle(), Throttle()
    one.configure(settings)
    two.configure(settings)
    assert isinstance(one.store, DatabaseStore)
    for _ in range(3):
        await one.spend("auth", ["address:192.0.2.1"], 1)
    with pytest.raises(Throttled) as raised:
        await two._check_keys(
            "auth", ["address:192.0.2.1"]
        )  # the other worker knows nothing itself
    assert 1 <= raised.value.retry_after <= 60
    await two._check_keys("auth", ["address:192.0.2.2"])  # others pass


@pytest.mark.redis
async def test_the_redis_store_is_shared_by_workers(db: str) -> None:
    settings = replace(
        get_settings(),
        throttle_store=REDIS_URL,
        throttle_auth=(3, 60),
        broadcast_prefix=f"luukku-test-{secrets.token_hex(4)}",
    )
    one, two = Throttle(), Throttle()
    one.configure(settings)
    two.configure(settings)
    assert isinstance(one.store, RedisStore)
    try:
        await one.failed(None, "auth", account="Aino@Example.org")
        await one.failed(None, "auth", account="aino@example.org ")
        await two.failed(None, "auth", account="AINO@example.org")
        with pytest.raises(Throttled):
            await two.check(None, "auth", account="aino@example.org")
        await one.check(None, "auth", account="ben@example.org")
    finally:
        await one.close()
        await two.close()


async def test_expensive_operations_spend_a_budget_per_account(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = get_settings()
    settings = replace(original, throttle_cost=(3_000, 60), throttle_cost_from=1_000)
    monkeypatch.setattr(settings_module, "_settings", settings)
    throttle.configure(settings)
    customer, other = await make_customer(), await make_customer()
    expensive = {
        "query": "{ permitTypes(first: 100) { nodes { id code name { fi sv en } "
        "authority { id code name { fi sv en } } } } }"  # cost 1,302
    }
    cheap = {"query": "{ permitTypes(first: 5) { nodes { id } } }"}
    try:
        async with _client("198.51.100.9") as client:
            auth = {"Authorization": f"Bearer {customer.token}"}
            answers = [
                await client.post("/graphql", json=expensive, headers=auth) for _ in range(6)
            ]
            assert [a.status_code for a in answers].count(429) >= 3
            refused = next(a for a in answers if a.status_code == 429)
            assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
            assert int(refused.headers["retry-after"]) >= 1
            assert (await client.post("/graphql", json=cheap, headers=auth)).status_code == 200
            # another account behind the same address has its own budget
            own = await client.post(
                "/graphql", json=expensive, headers={"Authorization": f"Bearer {other.token}"}
            )
            assert own.status_code == 200
    finally:
        throttle.configure(original)


def test_the_client_address_comes_from_the_socket_unless_a_trusted_proxy_says() -> None:
    scope = {
        "type": "http",
        "client": ("10.0.0.5", 1234),
        "headers": [(b"x-forwarded-for", b"6.6.6.6, 198.51.100.20")],
    }
    assert client_address(scope, ()) == "10.0.0.5"  # no trusted proxies: the header is ignored
    assert client_address(scope, ("10.0.0.0/8",)) == "198.51.100.20"
    assert client_address(scope, ("10.0.0.0/8", "198.51.100.20")) == "6.6.6.6"
    spoofed = {**scope, "client": ("203.0.113.1", 1)}
    assert client_address(spoofed, ("10.0.0.0/8",)) == "203.0.113.1"
    garbage = {**scope, "headers": [(b"x-forwarded-for", b"not-an-ip")]}
    assert client_address(garbage, ("10.0.0.0/8",)) == "10.0.0.5"
    assert Settings.from_env({"TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"}).trusted_proxies == (
        "10.0.0.0/8",
        "127.0.0.1",
    )


async def test_forged_session_cookies_are_throttled(fresh_throttle: Throttle) -> None:
    from app.signin import session_cookie_name

    limit, window = get_settings().throttle_auth
    async with _client("203.0.113.9") as attacker:
        for i in range(limit - 1):
            attacker.cookies.set(session_cookie_name(), f"forged{i}")
            forged = await attacker.post("/graphql", json=QUERY, headers={"X-Luukku-CSRF": "1"})
            assert forged.status_code == 401, forged.text
        attacker.cookies.set(session_cookie_name(), "forged-last")
        refused = await attacker.post("/graphql", json=QUERY, headers={"X-Luukku-CSRF": "1"})
        assert refused.status_code == 429, refused.text
        assert 1 <= int(refused.headers["retry-after"]) <= window


async def test_refused_sign_in_callbacks_are_throttled(fresh_throttle: Throttle) -> None:
    limit, _ = get_settings().throttle_auth
    async with _client("203.0.113.10") as attacker:
        for i in range(limit):
            bad = await attacker.get(f"/auth/callback?state=guess{i}&code=x")
            assert bad.status_code == 400, bad.text
        refused = await attacker.get("/auth/callback?state=guess&code=x")
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        started = await attacker.get("/auth/login")
        assert started.status_code == 429  # no new pending login from an address over it
