"""The JWKS cache (actions/auth/oidc.py) under concurrent callers: one fetch per issuer in
flight, every waiter woken by it at once, and callers whose key is cached never wait."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from joserfc.jwk import JWKRegistry

from actions.auth import oidc
from tests.turns import finishing_turns

URI = "https://issuer.example/jwks"


def _key_set(*kids: str) -> dict[str, Any]:
    keys = []
    for kid in kids:
        key = JWKRegistry.generate_key("EC", "P-256")
        keys.append({**key.as_dict(private=False), "kid": kid})
    return {"keys": keys}


@pytest.fixture
def issuer(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the issuer's JWKS endpoint answers; each answer takes a few loop iterations."""
    state: dict[str, Any] = {"jwks": _key_set("k1"), "gate": None}

    async def get_json(url: str, code: str) -> dict[str, Any]:
        assert url == URI
        if state["gate"] is not None:
            await state["gate"].wait()
        for _ in range(5):
            await asyncio.sleep(0)
        return state["jwks"]

    monkeypatch.setattr(oidc, "_get_json", get_json)
    return state


async def test_many_callers_of_an_expired_set_are_served_by_one_fetch_at_once(
    issuer: dict[str, Any],
) -> None:
    cache = oidc.JwksCache(max_age=300, min_refetch=10)
    finished = await finishing_turns(300, lambda: cache.key_set(URI, "k1"))
    assert cache.fetches == {URI: 1}
    assert max(finished) - min(finished) <= 2, sorted(set(finished))  # a lock: 299 turns
    cache.max_age = 0  # expires
    await finishing_turns(300, lambda: cache.key_set(URI, "k1"))
    assert cache.fetches == {URI: 2}


async def test_a_refetch_for_an_unknown_kid_holds_back_no_caller_whose_key_is_cached(
    issuer: dict[str, Any],
) -> None:
    cache = oidc.JwksCache(max_age=300, min_refetch=0)
    assert [k.kid for k in (await cache.key_set(URI, "k1")).keys] == ["k1"]
    issuer["gate"], issuer["jwks"] = asyncio.Event(), _key_set("k1", "k2")
    rotated = asyncio.create_task(cache.key_set(URI, "k2"))  # refetches, held by the issuer
    waiter = asyncio.create_task(cache.key_set(URI, "k3"))
    await asyncio.sleep(0)
    assert not rotated.done()
    known = await asyncio.wait_for(cache.key_set(URI, "k1"), 1)  # not behind the refetch
    assert [k.kid for k in known.keys] == ["k1"]
    issuer["gate"].set()
    assert {k.kid for k in (await rotated).keys} == {"k1", "k2"}
    assert {k.kid for k in (await waiter).keys} == {"k1", "k2"}  # served by the same fetch
    assert cache.fetches == {URI: 2}


async def test_a_failed_fetch_fails_its_waiters_and_the_next_caller_tries_again(
    issuer: dict[str, Any],
) -> None:
    cache = oidc.JwksCache()
    issuer["jwks"] = {"keys": "not a list"}
    results = await asyncio.gather(
        *(cache.key_set(URI, "k1") for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, oidc.TokenError) and r.code == "JWKS_UNAVAILABLE" for r in results)
    assert cache.fetches == {URI: 1}
    issuer["jwks"] = _key_set("k1")
    assert [k.kid for k in (await cache.key_set(URI, "k1")).keys] == ["k1"]
