"""``POST /_sandbox/activity``: upstream activity, seen through each platform's API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest

from sandbox.catalog import ANCHOR, build_catalog
from sandbox.server import RunningSandbox, run_simulators

CATALOG = build_catalog(1)
CREDS = CATALOG.credentials
SHARED = next(p for p in CATALOG.products if len(p.providers) == 4)
"""A product listed on all four platforms."""


@dataclass
class Env:
    sb: RunningSandbox
    http: aiohttp.ClientSession

    async def act(self, **body: object) -> dict[str, Any]:
        async with self.http.post(
            self.sb.base_url + "/_sandbox/activity", json=body
        ) as resp:
            answer: dict[str, Any] = await resp.json()
            assert resp.status == 200, answer
            return answer

    async def refused(self, raw: bytes) -> str:
        async with self.http.post(
            self.sb.base_url + "/_sandbox/activity", data=raw
        ) as resp:
            answer = await resp.json()
            assert resp.status == 400, (raw, answer)
            assert set(answer) == {"error"}
            return str(answer["error"])

    async def held(self, provider: str) -> dict[Any, dict[str, Any]]:
        async with self.http.get(
            self.sb.base_url + "/_sandbox/reviews", params={"provider": provider}
        ) as resp:
            assert resp.status == 200
            return {r["reviewId"]: r for r in await resp.json()}

    async def json(self, method: str, url: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.http.request(method, url, **kwargs) as resp:
            text = await resp.text()
            return resp.status, json.loads(text) if text else None


@pytest.fixture
async def env(http: aiohttp.ClientSession) -> AsyncIterator[Env]:
    async with run_simulators() as sb:
        yield Env(sb, http)


# --- Trustoo ----------------------------------------------------------------


async def trustoo(env: Env, name: str, params: list[tuple[str, str]]) -> Any:
    ts = str(int(time.time()))
    pairs = sorted([*params, ("timestamp", ts)], key=lambda p: p[0])
    text = "&".join(f"{k}={v}" for k, v in pairs).encode()
    key = CREDS.trustoo.private_token.encode()
    headers = {
        "Public-Token": CREDS.trustoo.public_token,
        "Timestamp": ts,
        "Sign": hmac.new(key, text, hashlib.sha256).hexdigest(),
    }
    url = f"{env.sb.url('trustoo')}/api/v1/openapi/{name}"
    status, body = await env.json("GET", url, params=params, headers=headers)
    assert status == 200
    return body


async def test_trustoo_activity_shows_in_its_api(env: Env) -> None:
    product_id = str(SHARED.trustoo_product_id)
    listing = [("product_ids", product_id), ("sort_by", "created-descending")]
    before = (await trustoo(env, "get_reviews", listing))["data"]
    made = await env.act(
        provider="trustoo",
        action="create",
        sku=SHARED.sku,
        rating=4,
        title="Cosy",
        body="Keeps me warm.",
        author="Ann",
    )
    assert (made["provider"], made["status"], made["sku"]) == (
        "trustoo",
        "published",
        SHARED.sku,
    )
    review_id = made["reviewId"]
    assert isinstance(review_id, int)
    after = (await trustoo(env, "get_reviews", listing))["data"]
    assert after["page"]["count"] == before["page"]["count"] + 1
    first = after["list"][0]
    assert (first["id"], first["rating"], first["title"], first["content"]) == (
        review_id,
        4,
        "Cosy",
        "Keeps me warm.",
    )
    one = [("id", str(review_id))]
    await env.act(provider="trustoo", action="edit", reviewId=review_id, rating=2)
    edited = (await trustoo(env, "get_review", one))["data"]
    assert (edited["rating"], edited["title"]) == (2, "Cosy")
    await env.act(
        provider="trustoo", action="reply", reviewId=str(review_id), body="Thanks!"
    )
    assert (await trustoo(env, "get_review", one))["data"]["reply"][
        "content"
    ] == "Thanks!"
    hidden = await env.act(
        provider="trustoo", action="status", reviewId=review_id, status="hidden"
    )
    assert hidden["status"] == "hidden"
    listed = (await trustoo(env, "get_reviews", listing))["data"]
    assert review_id not in [r["id"] for r in listed["list"]]
    assert (await trustoo(env, "get_review", one))["data"]["is_published"] == 0
    assert (await env.held("trustoo"))[review_id]["status"] == "hidden"
    gone = await env.act(provider="trustoo", action="delete", reviewId=review_id)
    assert gone["status"] == "deleted"
    assert (await trustoo(env, "get_review", one))["code"] == 5
    assert review_id not in await env.held("trustoo")
    shop = await env.act(provider="trustoo", action="create", rating=5)
    store = [("is_store_review", "1"), ("sort_by", "created-descending")]
    assert (await trustoo(env, "get_reviews", store))["data"]["list"][0]["id"] == (
        shop["reviewId"]
    )
    assert (await env.held("trustoo"))[shop["reviewId"]]["sku"] is None


# --- Trustpilot -------------------------------------------------------------


async def test_trustpilot_activity_shows_in_its_api(env: Env) -> None:
    base = env.sb.url("trustpilot")
    tp = CREDS.trustpilot
    key = {"apikey": tp.api_key}
    public = f"{base}/v1/product-reviews/business-units/{tp.business_unit_id}/reviews"
    basic = base64.b64encode(f"{tp.api_key}:{tp.api_secret}".encode()).decode()
    status, token = await env.json(
        "POST",
        base + "/v1/oauth/oauth-business-users-for-applications/accesstoken",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + basic},
    )
    assert status == 200
    private = key | {"Authorization": f"Bearer {token['access_token']}"}
    made = await env.act(
        provider="trustpilot",
        action="create",
        sku=SHARED.sku,
        rating=3,
        title="ignored",
        body="Decent.",
    )
    assert made["ignored"] == ["title"]
    review_id = made["reviewId"]
    status, page = await env.json(
        "GET", public, params={"sku": SHARED.sku}, headers=key
    )
    first = page["productReviews"][0]
    assert (first["id"], first["stars"], first["content"]) == (review_id, 3, "Decent.")
    one = f"{base}/v1/private/product-reviews/{review_id}"
    _, created = await env.json("GET", one, headers=private)
    await env.act(
        provider="trustpilot", action="edit", reviewId=review_id, body="Good."
    )
    _, edited = await env.json("GET", one, headers=private)
    assert edited["content"] == "Good."
    assert edited["createdAt"] == created["createdAt"]
    replied = await env.act(
        provider="trustpilot", action="reply", reviewId=review_id, body="Thank you!"
    )
    conversation = f"{base}/v1/conversations/{replied['conversationId']}"
    _, thread = await env.json("GET", conversation, headers=key)
    assert [c["content"] for c in thread["comments"]] == ["Thank you!"]
    await env.act(
        provider="trustpilot", action="status", reviewId=review_id, status="pending"
    )
    _, moderated = await env.json("GET", one, headers=private)
    assert moderated["state"] == "underModeration"
    _, page = await env.json("GET", public, params={"sku": SHARED.sku}, headers=key)
    assert review_id not in [r["id"] for r in page["productReviews"]]
    held = (await env.held("trustpilot"))[review_id]
    assert (held["status"], held["reply"], held["body"]) == (
        "pending",
        "Thank you!",
        "Good.",
    )
    await env.act(provider="trustpilot", action="delete", reviewId=review_id)
    status, _ = await env.json("GET", one, headers=private)
    assert status == 404


# --- eTrusted ---------------------------------------------------------------


async def test_etrusted_activity_shows_in_its_api_and_in_updated_order(
    env: Env,
) -> None:
    et = CREDS.etrusted
    form = {
        "client_id": et.client_id,
        "client_secret": et.client_secret,
        "grant_type": "client_credentials",
        "audience": "https://api.etrusted.com",
    }
    _, token = await env.json(
        "POST", env.sb.url("etrusted", 1) + "/oauth/token", data=form
    )
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    api = env.sb.url("etrusted")

    async def reviews(**params: str) -> list[dict[str, Any]]:
        status, body = await env.json(
            "GET", api + "/reviews", params=params, headers=auth
        )
        assert status == 200
        return list(body["items"])

    made = await env.act(
        provider="etrusted",
        action="create",
        sku=SHARED.sku,
        rating=5,
        title="Great",
        body="Just great.",
    )
    review_id = made["reviewId"]
    assert review_id.startswith("rev-")
    first = (await reviews(sku=SHARED.sku))[0]
    assert (first["id"], first["rating"], first["title"], first["type"]) == (
        review_id,
        5.0,
        "Great",
        "PRODUCT_REVIEW",
    )
    older = (await reviews(sku=SHARED.sku))[5]["id"]
    await env.act(provider="etrusted", action="edit", reviewId=older, rating=1)
    by_update = await reviews(orderBy="updatedAt", count="2")
    assert by_update[0]["id"] == older
    assert by_update[0]["rating"] == 1.0
    assert by_update[0]["editedAt"] == by_update[0]["updatedAt"]
    # The default order (submittedAt) keeps the edited review where it was.
    assert (await reviews(sku=SHARED.sku))[5]["id"] == older
    await env.act(
        provider="etrusted", action="reply", reviewId=review_id, body="Danke!"
    )
    status, one = await env.json("GET", f"{api}/reviews/{review_id}", headers=auth)
    assert one["reply"]["comment"] == "Danke!"
    await env.act(
        provider="etrusted", action="status", reviewId=review_id, status="rejected"
    )
    assert review_id in [r["id"] for r in await reviews(status="REJECTED", count="5")]
    assert (await reviews(orderBy="updatedAt", count="1"))[0]["id"] == review_id
    await env.act(provider="etrusted", action="delete", reviewId=review_id)
    status, _ = await env.json("GET", f"{api}/reviews/{review_id}", headers=auth)
    assert status == 404
    service = await env.act(provider="etrusted", action="create", rating=4)
    status, one = await env.json(
        "GET", f"{api}/reviews/{service['reviewId']}", headers=auth
    )
    assert one["type"] == "SERVICE_REVIEW"


# --- Mayar ------------------------------------------------------------------


async def test_mayar_activity_shows_in_its_api(env: Env) -> None:
    api = env.sb.url("mayar")
    auth = {"Authorization": f"Bearer {CREDS.mayar.api_key}"}
    link = SHARED.mayar_payment_link_id
    made = await env.act(
        provider="mayar", action="create", sku=SHARED.sku, rating=2, body="Meh."
    )
    review_id = made["reviewId"]
    _, page = await env.json(
        "GET", f"{api}/hl/v2/products/{link}/reviews", headers=auth
    )
    first = page["data"][0]
    assert (first["id"], first["rating"], first["message"]) == (review_id, 2, "Meh.")
    await env.act(provider="mayar", action="edit", reviewId=review_id, rating=5)
    await env.act(
        provider="mayar", action="status", reviewId=review_id, status="hidden"
    )
    _, page = await env.json(
        "GET",
        f"{api}/hl/v2/reviews",
        params={"status": "INACTIVE", "limit": "100"},
        headers=auth,
    )
    found = next(r for r in page["data"] if r["id"] == review_id)
    assert (found["rating"], found["status"]) == (5, "INACTIVE")
    assert "mayar has no merchant replies" in await env.refused(
        json.dumps(
            {"provider": "mayar", "action": "reply", "reviewId": review_id, "body": "x"}
        ).encode()
    )
    await env.act(provider="mayar", action="delete", reviewId=review_id)
    assert review_id not in await env.held("mayar")


# --- refusals ---------------------------------------------------------------


BAD_BODIES = [
    b"",
    b"not json",
    b"\xff\xfe",
    b"[1]",
    b"{}",
    b'{"provider": "yelp", "action": "create", "rating": 4}',
    b'{"provider": "trustoo", "action": "explode"}',
    b'{"provider": "trustoo", "action": "create"}',
    b'{"provider": "trustoo", "action": "create", "rating": 6}',
    b'{"provider": "trustoo", "action": "create", "rating": true}',
    b'{"provider": "trustoo", "action": "create", "rating": 4, "stars": 4}',
    b'{"provider": "trustoo", "action": "create", "rating": 4, "sku": "NOPE-1"}',
    b'{"provider": "trustoo", "action": "create", "rating": 4, "title": 7}',
    b'{"provider": "trustoo", "action": "create", "rating": 4, "status": "archived"}',
    b'{"provider": "trustoo", "action": "edit", "reviewId": 1}',
    b'{"provider": "trustoo", "action": "edit", "reviewId": "abc", "rating": 3}',
    b'{"provider": "trustoo", "action": "delete", "reviewId": 999999999}',
    b'{"provider": "trustoo", "action": "delete", "reviewId": null}',
    b'{"provider": "trustoo", "action": "reply", "reviewId": 1, "body": ""}',
    b'{"provider": "etrusted", "action": "delete", "reviewId": "rev-x"}',
    b'{"provider": "trustpilot", "action": "create", "rating": 4}',
    b'{"provider": "mayar", "action": "create", "rating": 4}',
    json.dumps(
        {"provider": "trustoo", "action": "create", "rating": 1, "body": "x" * 10_001}
    ).encode(),
]


async def test_malformed_or_unknown_activity_is_a_400_and_changes_nothing(
    env: Env,
) -> None:
    before = {
        p: await env.held(p) for p in ("trustoo", "trustpilot", "etrusted", "mayar")
    }
    for raw in BAD_BODIES:
        await env.refused(raw)
    etrusted_id = next(iter(before["etrusted"]))
    message = await env.refused(
        json.dumps(
            {
                "provider": "etrusted",
                "action": "status",
                "reviewId": etrusted_id,
                "status": "hidden",
            }
        ).encode()
    )
    assert "etrusted has no status 'hidden'" in message
    after = {p: await env.held(p) for p in before}
    assert after == before
    async with env.http.get(
        env.sb.base_url + "/_sandbox/reviews", params={"provider": "yelp"}
    ) as resp:
        assert resp.status == 400


async def test_activity_is_not_in_the_request_log_and_listed_in_the_index(
    env: Env,
) -> None:
    await env.act(provider="mayar", action="create", sku=SHARED.sku, rating=4)
    assert env.sb.log.entries() == []
    _, index = await env.json("GET", env.sb.base_url + "/")
    assert "POST /_sandbox/activity" in index["control"]


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.parametrize("provider", ["trustoo", "trustpilot", "etrusted", "mayar"])
async def test_edits_and_status_changes_move_the_updated_time_only(
    http: aiohttp.ClientSession, provider: str
) -> None:
    start = ANCHOR + timedelta(days=30)
    clock = Clock(start)
    async with run_simulators(providers={provider}, clock=clock) as sb:
        env = Env(sb, http)
        made = await env.act(
            provider=provider, action="create", sku=SHARED.sku, rating=3
        )
        review_id = made["reviewId"]
        clock.now = start + timedelta(minutes=1)
        await env.act(provider=provider, action="edit", reviewId=review_id, rating=4)
        held = (await env.held(provider))[review_id]
        assert (held["rating"], held["createdAt"], held["updatedAt"]) == (
            4,
            iso(start),
            iso(clock.now),
        )
        clock.now = start + timedelta(minutes=2)
        await env.act(
            provider=provider,
            action="status",
            reviewId=review_id,
            status="pending" if provider in ("trustpilot", "etrusted") else "hidden",
        )
        held = (await env.held(provider))[review_id]
        assert (held["createdAt"], held["updatedAt"]) == (iso(start), iso(clock.now))
        assert held["status"] in ("pending", "hidden")


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- paging while customers write ---------------------------------------------


async def test_cursor_walks_stay_exact_while_reviews_arrive(env: Env) -> None:
    """eTrusted (both orders) and Mayar: new reviews land before the cursor."""
    et = CREDS.etrusted
    form = {
        "client_id": et.client_id,
        "client_secret": et.client_secret,
        "grant_type": "client_credentials",
    }
    _, token = await env.json(
        "POST", env.sb.url("etrusted", 1) + "/oauth/token", data=form
    )
    et_auth = {"Authorization": f"Bearer {token['access_token']}"}
    ma_auth = {"Authorization": f"Bearer {CREDS.mayar.api_key}"}
    mayar_skus = [p.sku for p in CATALOG.on("mayar")]

    async def etrusted_walk(order: str) -> list[str]:
        seen: list[str] = []
        params = {"count": "200", "orderBy": order}
        while True:
            _, body = await env.json(
                "GET",
                env.sb.url("etrusted") + "/reviews",
                params=params,
                headers=et_auth,
            )
            seen += [r["id"] for r in body["items"]]
            await env.act(provider="etrusted", action="create", rating=3)
            after = body["paging"]["cursor"].get("after")
            if after is None:
                return seen
            params["after"] = after

    async def mayar_walk() -> list[str]:
        seen: list[str] = []
        params = {"limit": "100"}
        while True:
            _, body = await env.json(
                "GET",
                env.sb.url("mayar") + "/hl/v2/reviews",
                params=params,
                headers=ma_auth,
            )
            seen += [r["id"] for r in body["data"]]
            sku = mayar_skus[len(seen) % len(mayar_skus)]
            await env.act(provider="mayar", action="create", sku=sku, rating=4)
            if not body["hasMore"]:
                return seen
            params["startingAfter"] = body["nextStartingAfter"]

    for order in ("submittedAt", "updatedAt"):
        before = set(await env.held("etrusted"))
        walked = await etrusted_walk(order)
        assert len(walked) == len(set(walked))
        # Statements are left out by default (ignoreStatements=true).
        assert set(walked) <= before
        assert len(walked) > 0.9 * len(before)
    before = set(await env.held("mayar"))
    walked = await mayar_walk()
    assert sorted(walked) == sorted(before)


async def test_page_number_walks_see_every_review_while_reviews_arrive(
    env: Env,
) -> None:
    """Trustoo and Trustpilot page by number: an arrival shifts later pages by one."""
    store_reviews = [("is_store_review", "1"), ("sort_by", "created-descending")]
    first = await trustoo(env, "get_reviews", [*store_reviews, ("page_size", "1")])
    total = first["data"]["page"]["count"]
    seen: list[int] = []
    for page in range(1, total // 50 + 2):
        query = [*store_reviews, ("page", str(page)), ("page_size", "50")]
        seen += [
            r["id"] for r in (await trustoo(env, "get_reviews", query))["data"]["list"]
        ]
        await env.act(provider="trustoo", action="create", rating=5)
    assert len(set(seen)) == total  # every review seen...
    assert len(seen) - len(set(seen)) == total // 50  # ...one repeat per arrival
