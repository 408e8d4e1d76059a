"""End to end: the sandbox's Trustoo delivers its webhooks, the index applies them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import aiohttp
from aiohttp import web

from gateway.records import Provider
from gateway.store import ReviewStore
from gateway.sync.webhooks import PATH, TrustooWebhooks
from sandbox.server import RunningSandbox
from tests.sync.conftest import FAST, eventually, held, sync_rig


@asynccontextmanager
async def receiver(hooks: TrustooWebhooks) -> AsyncIterator[str]:
    """``POST /webhooks/trustoo`` served on loopback as the app mounts it."""

    async def route(request: web.Request) -> web.Response:
        status, body = await hooks.receive(
            request.headers, await request.read(), request.query.get("topic")
        )
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_post(PATH, route)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_changes_arrive_through_webhooks_within_seconds(
    sandbox: RunningSandbox, store: ReviewStore, http: aiohttp.ClientSession
) -> None:
    slow = replace(FAST, interval_s=60.0)  # no incremental run: only webhooks
    async with sync_rig(
        sandbox, store, providers=(Provider.TRUSTOO,), sync=slow
    ) as rig:

        async def served() -> bool:
            return rig.service.serves(Provider.TRUSTOO)

        await eventually(served)
        assert rig.service.webhooks is not None
        async with receiver(rig.service.webhooks) as public_url:
            await rig.service.webhooks.register_webhooks(public_url)
            lists_before = _list_calls(sandbox)

            async def act(**activity: object) -> dict[str, object]:
                body = {"provider": "trustoo", **activity}
                async with http.post(
                    sandbox.base_url + "/_sandbox/activity", json=body
                ) as response:
                    assert response.status == 200, await response.text()
                    answer: dict[str, object] = await response.json()
                    return answer

            created = await act(action="create", rating=5, body="Came by webhook")
            review_id = str(created["reviewId"])

            async def body_is(text: str | None) -> bool:
                [now] = await held(store, Provider.TRUSTOO, [review_id])
                return (now is None and text is None) or (
                    now is not None and now.body == text
                )

            await eventually(lambda: body_is("Came by webhook"), within_s=5)
            await act(action="edit", reviewId=review_id, body="Edited upstream")
            await eventually(lambda: body_is("Edited upstream"), within_s=5)
            await act(action="delete", reviewId=review_id)
            await eventually(lambda: body_is(None), within_s=5)
            assert _list_calls(sandbox) == lists_before, "no sync run read a list"
        status = await rig.service.status(Provider.TRUSTOO)
    assert status.lag_seconds is not None
    assert status.lag_seconds < 5


def _list_calls(sandbox: RunningSandbox) -> int:
    return sum(1 for e in sandbox.log.entries("trustoo") if "get_reviews" in e.path)
