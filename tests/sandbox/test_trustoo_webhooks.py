"""Trustoo webhook delivery to a receiver on loopback (vendors.md 1.9)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from sandbox.catalog import build_catalog
from sandbox.server import RunningSandbox, run_simulators
from sandbox.trustoo import TrustooSettings, webhook_dispatcher

CATALOG = build_catalog(1)
CREDS = CATALOG.credentials.trustoo
PRODUCT = CATALOG.on("trustoo")[0]
ACK = {"code": 0, "message": "success"}


@dataclass
class Received:
    path_qs: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """A webhook endpoint that answers from a script (then 200 + ACK)."""

    url: str = ""
    script: list[tuple[int, object]] = field(default_factory=list)
    got: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        self.got.append(
            Received(
                request.path_qs,
                dict(request.headers),
                await request.read(),
                time.monotonic(),
            )
        )
        self.arrived.set()
        status, body = self.script.pop(0) if self.script else (200, ACK)
        return web.json_response(body, status=status)

    async def wait_for(self, count: int) -> list[Received]:
        async with asyncio.timeout(10):
            while len(self.got) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.got


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    rx = Receiver()
    app = web.Application()
    app.router.add_post("/webhooks/trustoo", rx.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        rx.url = f"http://127.0.0.1:{runner.addresses[0][1]}/webhooks/trustoo"
        yield rx
    finally:
        await runner.cleanup()


def signed(params: list[tuple[str, str]], body: bytes = b"") -> dict[str, str]:
    ts = str(int(time.time()))
    pairs = sorted([*params, ("timestamp", ts)], key=lambda p: p[0])
    text = "&".join(f"{k}={v}" for k, v in pairs).encode()
    if body:
        text += b"|" + body
    sign = hmac.new(CREDS.private_token.encode(), text, hashlib.sha256).hexdigest()
    return {"Public-Token": CREDS.public_token, "Timestamp": ts, "Sign": sign}


async def api(
    http: aiohttp.ClientSession, sb: RunningSandbox, name: str, body: object
) -> Any:
    raw = json.dumps(body).encode()
    headers = signed([], raw) | {"Content-Type": "application/json"}
    url = f"{sb.url('trustoo')}/api/v1/openapi/{name}"
    async with http.post(url, data=raw, headers=headers) as resp:
        payload = await resp.json()
    assert payload["code"] == 0, payload
    return payload["data"]


async def subscribe(
    http: aiohttp.ClientSession, sb: RunningSandbox, topic: str, url: str
) -> None:
    await api(http, sb, "create_shop_webhook", {"topic": topic, "url": url})


def new_review(**extra: object) -> dict[str, object]:
    return {
        "rating": 4,
        "author": "Ann Example",
        "commented_at": "2026-11-20 10:00:00",
        "source": "Store front",
        "is_verified": 1,
        "is_featured": 0,
        "is_published": 1,
        "is_top": 0,
        "product_id": PRODUCT.trustoo_product_id,
        "title": "Warm",
        "content": "Warm and soft.",
        **extra,
    }


def verify(got: Received) -> dict[str, Any]:
    """Check the delivery's signature as a receiver would, from vendors.md alone."""
    ts = got.headers["Open-Trustoo-Webhook-Timestamp"]
    assert abs(int(ts) - time.time()) < 60
    expected = hmac.new(
        CREDS.private_token.encode(),
        f"timestamp={ts}|".encode() + got.body,
        hashlib.sha256,
    ).hexdigest()
    assert hmac.compare_digest(got.headers["Open-Trustoo-Webhook-Sign"], expected)
    assert got.headers["Open-Trustoo-Webhook-Public-token"] == CREDS.public_token
    assert len(got.headers["Open-Trustoo-Webhook-RequestId"]) == 32
    payload: dict[str, Any] = json.loads(got.body)
    return payload


async def deliveries(
    http: aiohttp.ClientSession, sb: RunningSandbox, url: str | None = None
) -> Any:
    """The delivery log (to ``url`` only; the seeded shop has a hook of its own)."""
    async with http.get(sb.base_url + "/_sandbox/webhooks") as resp:
        assert resp.status == 200
        log = await resp.json()
    return [d for d in log if url is None or d["url"] == url]


async def test_created_updated_and_deleted_reviews_are_delivered_signed(
    http: aiohttp.ClientSession,
) -> None:
    async with receiver() as rx, run_simulators(providers={"trustoo"}) as sb:
        hooked = rx.url + "?topic=review%2Fcreated"
        await subscribe(http, sb, "review/created", hooked)
        await subscribe(http, sb, "review/updated", rx.url + "?topic=review%2Fupdated")
        await subscribe(http, sb, "review/deleted", rx.url + "?topic=review%2Fdeleted")
        sb.log.clear()
        created = await api(http, sb, "create_review", new_review())
        (first,) = await rx.wait_for(1)
        assert first.path_qs == "/webhooks/trustoo?topic=review%2Fcreated"
        body = verify(first)
        (item,) = body["list"]
        assert item["id"] == created["id"]
        assert (item["rating"], item["title"], item["content"]) == (
            4,
            "Warm",
            "Warm and soft.",
        )
        assert item["product_id"] == PRODUCT.trustoo_product_id
        assert item["my_shopify_domain"] == CREDS.shop_domain
        assert item["shopify_shop_id"] == CREDS.shopify_shop_id
        assert {
            k: v
            for k, v in item.items()
            if k not in ("my_shopify_domain", "shopify_shop_id")
        } == created

        async with http.post(
            sb.base_url + "/_sandbox/activity",
            json={
                "provider": "trustoo",
                "action": "edit",
                "reviewId": str(created["id"]),
                "rating": 2,
            },
        ) as resp:
            assert resp.status == 200, await resp.text()
        second = (await rx.wait_for(2))[1]
        assert second.path_qs.endswith("topic=review%2Fupdated")
        assert verify(second)["list"][0]["rating"] == 2

        await api(http, sb, "delete_review", {"id": created["id"]})
        third = (await rx.wait_for(3))[2]
        assert third.path_qs.endswith("topic=review%2Fdeleted")
        assert verify(third)["list"][0]["id"] == created["id"]

        log = await deliveries(http, sb, rx.url)
        assert [(d["topic"], d["attempt"], d["status"], d["ok"]) for d in log] == [
            ("review/created", 1, 200, True),
            ("review/updated", 1, 200, True),
            ("review/deleted", 1, 200, True),
        ]
        assert all(d["url"] == rx.url for d in log)  # shown without the query
        # The request log holds the platform's inbound calls only.
        assert [e.path for e in sb.log.entries()] == [
            "/api/v1/openapi/create_review",
            "/api/v1/openapi/delete_review",
        ]


async def test_an_unacknowledged_delivery_is_retried_after_the_scaled_delay(
    http: aiohttp.ClientSession,
) -> None:
    settings = {"trustoo": TrustooSettings(webhook_delay_scale=0.001)}
    async with (
        receiver() as rx,
        run_simulators(providers={"trustoo"}, settings=settings) as sb,
    ):
        rx.script = [(500, {"error": "down"}), (200, {"code": 1, "message": "busy"})]
        await subscribe(http, sb, "review/created", rx.url)
        await api(http, sb, "create_review", new_review())
        got = await rx.wait_for(3)
        # Attempt n waits (n - 1) x 3 minutes x 0.001: 0.18 s, then 0.36 s.
        assert got[1].at - got[0].at >= 0.17
        assert got[2].at - got[1].at >= 0.35
        ids = {g.headers["Open-Trustoo-Webhook-RequestId"] for g in got}
        assert len(ids) == 1  # one delivery, three attempts
        assert got[0].body == got[2].body
        log = await deliveries(http, sb, rx.url)
        assert [(d["attempt"], d["status"], d["ok"]) for d in log] == [
            (1, 500, False),
            (2, 200, False),
            (3, 200, True),
        ]


async def test_delivery_gives_up_after_the_last_attempt(
    http: aiohttp.ClientSession,
) -> None:
    settings = {
        "trustoo": TrustooSettings(webhook_delay_scale=0.0001, webhook_max_attempts=3)
    }
    async with (
        receiver() as rx,
        run_simulators(providers={"trustoo"}, settings=settings) as sb,
    ):
        rx.script = [(503, {})] * 5
        await subscribe(http, sb, "review/created", rx.url)
        await api(http, sb, "create_review", new_review())
        await rx.wait_for(3)
        await webhook_dispatcher(sb.sandbox.apps["trustoo"]).drain()
        assert len(rx.got) == 3
        log = await deliveries(http, sb, rx.url)
        assert [(d["attempt"], d["ok"]) for d in log] == [
            (1, False),
            (2, False),
            (3, False),
        ]


async def test_urls_beyond_loopback_are_never_contacted_and_shutdown_is_clean(
    http: aiohttp.ClientSession,
) -> None:
    async with receiver() as rx, run_simulators(providers={"trustoo"}) as sb:
        await subscribe(http, sb, "review/created", "https://example.com/hook?k=secret")
        # A receiver that never acknowledges keeps a delivery pending at shutdown.
        rx.script = [(500, {})] * 20
        await subscribe(http, sb, "review/created", rx.url)
        await api(http, sb, "create_review", new_review())
        await rx.wait_for(1)
        log = await deliveries(http, sb, "https://example.com/hook")
        refused = [d for d in log if d["attempt"] == 0]
        assert [(d["url"], d["ok"], d["status"]) for d in refused] == [
            ("https://example.com/hook", False, None)
        ]
        assert webhook_dispatcher(sb.sandbox.apps["trustoo"]).pending == 1
    # Leaving the block cancelled the pending retries (filterwarnings=error would
    # fail the test on a "Task was destroyed but it is pending" warning).
