"""Trustoo webhooks: verified deliveries applied at once, the rest refused."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from gateway.config import Settings
from gateway.providers.trustoo import TrustooClient
from gateway.records import Provider, Review, ReviewStatus
from gateway.store import ReviewStore
from gateway.sync.walks import ALL_REVIEWS
from gateway.sync.webhooks import TOPICS, TrustooWebhooks, webhook_url
from sandbox.server import RunningSandbox
from tests.sync.conftest import Rig, held, sync_rig

PUBLIC_URL = "https://gateway.example.com"


@pytest.fixture
async def rig(sandbox: RunningSandbox, store: ReviewStore) -> AsyncIterator[Rig]:
    """The receiver alone: no sync task writes meanwhile."""
    only = (Provider.TRUSTOO,)
    async with sync_rig(sandbox, store, providers=only, start=False) as running:
        yield running


def receiver(rig: Rig) -> TrustooWebhooks:
    assert rig.service.webhooks is not None
    return rig.service.webhooks


def client(rig: Rig) -> TrustooClient:
    trustoo = rig.clients[Provider.TRUSTOO]
    assert isinstance(trustoo, TrustooClient)
    return trustoo


def signed(
    settings: Settings,
    body: bytes,
    *,
    request_id: str = "req-1",
    at: datetime | None = None,
    private: str | None = None,
    public: str | None = None,
) -> dict[str, str]:
    """The headers Trustoo sends (vendors.md 1.9), signed as it signs."""
    assert settings.trustoo is not None
    stamp = str(int((at or datetime.now(UTC)).timestamp()))
    key = private or settings.trustoo.private_token.reveal()
    sign = hmac.new(key.encode(), f"timestamp={stamp}|".encode() + body, hashlib.sha256)
    return {
        "Open-Trustoo-Webhook-Public-token": public or settings.trustoo.public_token,
        "Open-Trustoo-Webhook-Timestamp": stamp,
        "Open-Trustoo-Webhook-Sign": sign.hexdigest(),
        "Open-Trustoo-Webhook-RequestId": request_id,
    }


async def a_review(rig: Rig) -> Review:
    page = await client(rig).list_reviews(ALL_REVIEWS, None, 5)
    return page.items[3]


def delivery(review: Review, **changes: object) -> bytes:
    return json.dumps({"list": [{**review.raw, **changes}]}).encode()


async def act(rig: Rig, **activity: object) -> None:
    """Make the platform change, as a customer would (the sandbox's control route)."""
    url = rig.running.base_url + "/_sandbox/activity"
    async with aiohttp.ClientSession() as http, http.post(url, json=activity) as r:
        assert r.status == 200, await r.text()


async def test_a_signed_delivery_applies_what_trustoo_holds_now(rig: Rig) -> None:
    review = await a_review(rig)
    edited = "Edited by the customer."
    await act(
        rig,
        provider="trustoo",
        action="edit",
        reviewId=int(review.provider_review_id),
        body=edited,
    )
    # The delivery names the review; its (older) body is not what is stored.
    body = delivery(review, content="What the delivery says.")
    status, answer = await receiver(rig).receive(
        signed(rig.settings, body), body, "review/updated"
    )
    assert (status, answer) == (200, {"code": 0, "message": "success"})
    [stored] = await held(rig.store, Provider.TRUSTOO, [review.provider_review_id])
    assert stored is not None
    assert stored.body == edited
    assert stored.customer is None, "no PII from a webhook either"
    sync = await rig.service.status(Provider.TRUSTOO)
    assert sync.last_success_at is not None


async def test_a_replayed_or_relabelled_delivery_cannot_change_the_index(
    rig: Rig,
) -> None:
    review = await a_review(rig)
    hooks = receiver(rig)
    key = [review.provider_review_id]
    old = delivery(review)
    # A published review's body resent as review/deleted: Trustoo still has it.
    headers = signed(rig.settings, old, request_id="relabelled")
    assert (await hooks.receive(headers, old, "review/deleted"))[0] == 200
    [kept] = await held(rig.store, Provider.TRUSTOO, key)
    assert kept is not None
    assert kept.status is ReviewStatus.PUBLISHED
    # Hidden upstream, then its old review/updated replayed (or retried late).
    await act(
        rig,
        provider="trustoo",
        action="status",
        reviewId=int(review.provider_review_id),
        status="hidden",
    )
    headers = signed(rig.settings, old, request_id="replayed")
    assert (await hooks.receive(headers, old, "review/updated"))[0] == 200
    [after] = await held(rig.store, Provider.TRUSTOO, key)
    assert after is None or after.status is not ReviewStatus.PUBLISHED


async def test_an_absurd_timestamp_is_refused_not_a_500(rig: Rig) -> None:
    review = await a_review(rig)
    body = delivery(review)
    for stamp in ("9" * 400, "\uff11\uff12\uff13", "1_700_000_000", " 1700000000", ""):
        headers = {
            **signed(rig.settings, body),
            "Open-Trustoo-Webhook-Timestamp": stamp,
        }
        status, _ = await receiver(rig).receive(headers, body, "review/updated")
        assert status == 401, stamp


async def test_a_bad_signature_is_refused_and_nothing_applied(rig: Rig) -> None:
    review = await a_review(rig)
    body = delivery(review, content="Forged.")
    before = await held(rig.store, Provider.TRUSTOO, [review.provider_review_id])
    refused = [
        signed(rig.settings, body, private="not-the-private-token"),
        signed(rig.settings, body, public="another-shop"),
        signed(rig.settings, body, at=datetime(2026, 1, 1, tzinfo=UTC)),
        {k: v for k, v in signed(rig.settings, body).items() if "Sign" not in k},
        signed(rig.settings, b'{"list": []}'),  # signed another body
    ]
    for headers in refused:
        status, answer = await receiver(rig).receive(headers, body, "review/updated")
        assert status == 401
        assert answer["code"] == 401
        assert "token" not in str(answer["message"]).lower()
    after = await held(rig.store, Provider.TRUSTOO, [review.provider_review_id])
    assert after == before


async def test_a_repeated_delivery_is_harmless(rig: Rig) -> None:
    review = await a_review(rig)
    hooks = receiver(rig)
    body = delivery(review)
    before = rig.calls(Provider.TRUSTOO)
    for request_id in ("new-1", "new-1", "new-2"):
        headers = signed(rig.settings, body, request_id=request_id)
        assert (await hooks.receive(headers, body, "review/created"))[0] == 200
    assert await rig.store.count(Provider.TRUSTOO) == 1
    # new-1's repeat is answered without a read back: two reads, not three.
    assert 0 < rig.calls(Provider.TRUSTOO) - before <= 2 * 2


async def test_a_malformed_delivery_is_a_400(rig: Rig) -> None:
    review = await a_review(rig)
    hooks = receiver(rig)
    for body, topic in (
        (b"not json", "review/created"),
        (b'{"items": []}', "review/created"),
        (b'{"list": [{"id": 1}]}', "review/updated"),
        (b'{"list": [{"name": "x"}]}', "review/deleted"),
        (delivery(review), "customer_event/created"),
        (delivery(review), None),
    ):
        status, answer = await hooks.receive(signed(rig.settings, body), body, topic)
        assert status == 400, (body, topic)
        assert answer["code"] == 400


async def test_registration_makes_one_webhook_per_topic_once(rig: Rig) -> None:
    hooks = receiver(rig)
    before = await client(rig).webhooks()
    ours = await hooks.register_webhooks(PUBLIC_URL)
    assert [(w.topic, w.url) for w in ours] == [
        (t, webhook_url(PUBLIC_URL, t)) for t in TOPICS
    ]
    assert ours[0].url == (
        "https://gateway.example.com/webhooks/trustoo?topic=review%2Fcreated"
    )
    after_first = await client(rig).webhooks()
    assert len(after_first) == len(before) + 3
    assert {w.id for w in before} <= {w.id for w in after_first}, "others stay"
    again = await hooks.register_webhooks(PUBLIC_URL + "/")
    assert [w.id for w in again] == [w.id for w in ours]
    assert len(await client(rig).webhooks()) == len(after_first)
