"""The Mayar simulator over real HTTP, checked against an independent seeded copy."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest

from sandbox.catalog import ANCHOR, build_catalog
from sandbox.mayar import MayarSettings, MayarStore, build_store
from sandbox.server import RunningSandbox, run_simulators

SEED = 1
NOW = ANCHOR + timedelta(days=1)
NOW_MS = int(NOW.timestamp() * 1000)
CREDS = build_catalog(SEED).credentials.mayar
RW = {"Authorization": f"Bearer {CREDS.api_key}"}
RO = {"Authorization": f"Bearer {CREDS.read_only_api_key}"}
OPEN = "buyer.sandbox.example"
REVIEW_KEYS = [
    "id",
    "createdAt",
    "customerId",
    "message",
    "paymentLinkId",
    "rating",
    "status",
    "updatedAt",
    "userId",
    "multipleImage",
    "content",
]
WRITTEN_KEYS = {
    "id",
    "rating",
    "message",
    "paymentLinkId",
    "customerId",
    "userId",
    "status",
    "createdAt",
    "updatedAt",
}
NOT_BOUGHT = "Anda belum pernah membeli produk ini"
ALREADY = (
    "Anda sudah memberikan ulasan untuk produk ini, jika ingin mengedit ulasan,"
    " silahkan gunakan fitur edit ulasan"
)


class Clock:
    """A settable clock, so writes and the rate-limit window are predictable."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Mayar:
    running: RunningSandbox
    http: aiohttp.ClientSession
    store: MayarStore
    clock: Clock

    @property
    def url(self) -> str:
        return self.running.url("mayar")

    async def call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> tuple[int, dict[str, Any], aiohttp.ClientResponse]:
        async with self.http.request(
            method,
            self.url + path,
            headers=RW if headers is None else headers,
            **kwargs,
        ) as response:
            return response.status, await response.json(), response

    async def get(self, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
        status, body, _ = await self.call("GET", path, **kwargs)
        return status, body

    async def post(
        self, path: str, body: Any, **kwargs: Any
    ) -> tuple[int, dict[str, Any]]:
        status, answer, _ = await self.call("POST", path, json=body, **kwargs)
        return status, answer

    async def walk(self, path: str, **params: str) -> list[dict[str, Any]]:
        """Every review of a cursor walk, checking each page's envelope."""
        seen: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            query = dict(params, **({"startingAfter": after} if after else {}))
            status, body = await self.get(path, params=query)
            assert status == 200, body
            assert body["statusCode"] == 200
            assert body["messages"] == "success"
            if after is not None:
                assert body["data"], "hasMore promised a page that is empty"
            seen += body["data"]
            if not body["hasMore"]:
                assert body["nextStartingAfter"] is None
                return seen
            assert body["nextStartingAfter"] == body["data"][-1]["id"]
            after = body["nextStartingAfter"]


@asynccontextmanager
async def mayar(
    settings: MayarSettings | None = None, seed: int = SEED
) -> AsyncIterator[Mayar]:
    clock = Clock(NOW)
    settings = settings or MayarSettings(rate_limit_per_minute=None)
    async with (
        run_simulators(
            providers={"mayar"}, seed=seed, clock=clock, settings={"mayar": settings}
        ) as running,
        aiohttp.ClientSession() as http,
    ):
        yield Mayar(running, http, build_store(running.catalog, seed), clock)


@pytest.fixture
async def m() -> AsyncIterator[Mayar]:
    async with mayar() as served:
        yield served


def newest(reviews: Any) -> list[str]:
    return [r.id for r in sorted(reviews, key=lambda r: (-r.created_at, r.id))]


def first_link(store: MayarStore) -> str:
    return next(iter(store.payment_links))


def non_reviewer(store: MayarStore, link: str) -> str:
    """The e-mail of a seeded customer who paid for ``link`` but did not review it."""
    for customer_id, link_id in sorted(store.purchases):
        if link_id == link and (customer_id, link_id) not in store.by_buyer:
            return store.customers[customer_id].email
    raise AssertionError("every buyer reviewed")


# -- seeded data ---------------------------------------------------------------


def test_store_is_deterministic_and_covers_the_catalog() -> None:
    catalog = build_catalog(SEED)
    store = build_store(catalog, SEED)
    assert store.reviews.keys() == build_store(catalog, SEED).reviews.keys()
    assert store.reviews.keys().isdisjoint(build_store(catalog, SEED + 1).reviews)
    products = catalog.on("mayar")
    assert [p.mayar_payment_link_id for p in products] == list(store.payment_links)
    per_link = Counter(r.payment_link_id for r in store.reviews.values())
    for product in products:
        link = store.payment_links[product.mayar_payment_link_id or ""]
        assert link.name == product.name
        assert per_link[link.id] == max(3, round(45 * product.popularity))
        assert any(
            r.status == "ACTIVE" and r.payment_link_id == link.id
            for r in store.reviews.values()
        )
    reviews = list(store.reviews.values())
    hidden = sum(r.status != "ACTIVE" for r in reviews) / len(reviews)
    media = sum(bool(r.images or r.content) for r in reviews) / len(reviews)
    silent = sum(r.message is None for r in reviews) / len(reviews)
    assert 0.04 < hidden < 0.11
    assert 0.08 < media < 0.16
    assert 0.08 < silent < 0.25
    for review in reviews:
        assert (review.customer_id, review.payment_link_id) in store.purchases
        assert review.created_at <= review.updated_at <= ANCHOR.timestamp() * 1000


# -- reads -----------------------------------------------------------------------


async def test_all_reviews_walk_every_review_once_newest_first(m: Mayar) -> None:
    seen = await m.walk("/hl/v2/reviews", limit="100")
    assert [r["id"] for r in seen] == newest(m.store.reviews.values())


async def test_default_page_is_ten_and_reviews_have_the_documented_shape(
    m: Mayar,
) -> None:
    status, body = await m.get("/hl/v2/reviews")
    assert status == 200
    assert list(body) == [
        "statusCode",
        "messages",
        "data",
        "hasMore",
        "nextStartingAfter",
    ]
    assert len(body["data"]) == 10
    assert body["hasMore"] is True
    for item in body["data"]:
        review = m.store.reviews[item["id"]]
        customer = m.store.customers[review.customer_id]
        link = m.store.payment_links[review.payment_link_id]
        assert list(item) == [*REVIEW_KEYS, "customer", "paymentLink"]
        assert item["createdAt"] == review.created_at
        assert isinstance(item["createdAt"], int)
        assert item["rating"] == review.rating
        assert item["message"] == review.message
        assert item["userId"] == CREDS.merchant_user_id
        assert item["customer"] == {"id": customer.id, "name": customer.name}
        assert item["paymentLink"] == {
            "id": link.id,
            "name": link.name,
            "type": "physical_product",
            "link": link.link,
            "subType": None,
        }


async def test_media_is_served_as_multiple_image_and_content(m: Mayar) -> None:
    with_media = [r for r in m.store.reviews.values() if r.images and r.content]
    review = with_media[0]
    seen = await m.walk(
        "/hl/v2/reviews", limit="100", paymentLinkId=review.payment_link_id
    )
    item = next(r for r in seen if r["id"] == review.id)
    assert [i["id"] for i in item["multipleImage"]] == [i.id for i in review.images]
    assert set(item["multipleImage"][0]) == {"id", "fileType", "description", "url"}
    assert item["multipleImage"][0]["url"].startswith("https://")
    video = item["content"][0]
    assert video["value"] == video["file"]["id"] == review.content[0].file_id
    assert set(video["file"]) == {"id", "filename", "size", "mimetype"}


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"status": "ARCHIVED"}, lambda r, link: r.status == "ARCHIVED"),
        (
            {"status": "INACTIVE", "rating": "1"},
            lambda r, link: (r.status, r.rating) == ("INACTIVE", 1),
        ),
        ({"rating": "5"}, lambda r, link: r.rating == 5),
        ("link", lambda r, link: r.payment_link_id == link),
        (
            "link+active",
            lambda r, link: r.payment_link_id == link and r.status == "ACTIVE",
        ),
    ],
)
async def test_all_reviews_filters(
    m: Mayar, params: Any, keep: Callable[[Any, str], bool]
) -> None:
    link = first_link(m.store)
    if params == "link":
        params = {"paymentLinkId": link}
    elif params == "link+active":
        params = {"paymentLinkId": link, "status": "ACTIVE"}
    seen = await m.walk("/hl/v2/reviews", limit="50", **params)
    expected = newest(r for r in m.store.reviews.values() if keep(r, link))
    assert expected
    assert [r["id"] for r in seen] == expected


async def test_product_reviews_are_active_only_in_small_pages(m: Mayar) -> None:
    link = first_link(m.store)
    seen = await m.walk(f"/hl/v2/products/{link}/reviews", limit="7")
    expected = newest(
        r
        for r in m.store.reviews.values()
        if r.payment_link_id == link and r.status == "ACTIVE"
    )
    assert [r["id"] for r in seen] == expected
    exact = {"limit": str(len(expected))}
    _, body = await m.get(f"/hl/v2/products/{link}/reviews", params=exact)
    assert (len(body["data"]), body["hasMore"]) == (len(expected), False)
    assert body["nextStartingAfter"] is None
    short = {"limit": str(len(expected) - 1)}
    _, body = await m.get(f"/hl/v2/products/{link}/reviews", params=short)
    assert (body["hasMore"], body["nextStartingAfter"]) == (True, expected[-2])
    fours = await m.walk(f"/hl/v2/products/{link}/reviews", rating="4")
    assert {r["rating"] for r in fours} <= {4}
    assert len(fours) == sum(1 for r in seen if r["rating"] == 4)


async def test_prioritize_message_puts_reviews_with_a_message_first(m: Mayar) -> None:
    link = next(
        link
        for link in m.store.payment_links
        if any(
            r.message is None and r.status == "ACTIVE" and r.payment_link_id == link
            for r in m.store.reviews.values()
        )
    )
    path = f"/hl/v2/products/{link}/reviews"
    plain = await m.walk(path, limit="5")
    first = await m.walk(path, limit="5", prioritizeMessage="true")
    with_message = [r["id"] for r in plain if r["message"]]
    without = [r["id"] for r in plain if not r["message"]]
    assert without
    assert [r["id"] for r in first] == with_message + without
    unordered = await m.walk(path, limit="5", prioritizeMessage="false")
    assert unordered == plain


async def test_customer_review_of_a_product(m: Mayar) -> None:
    review = next(iter(m.store.reviews.values()))
    path = f"/hl/v2/products/{review.payment_link_id}/reviews/customer"
    status, body = await m.get(path, params={"customerId": review.customer_id})
    assert status == 200
    assert body["messages"] == "success"
    assert list(body["data"]) == REVIEW_KEYS
    assert body["data"]["id"] == review.id
    assert body["data"]["rating"] == review.rating

    buyer = m.store.customer_by_email(non_reviewer(m.store, review.payment_link_id))
    assert buyer is not None
    status, body = await m.get(path, params={"customerId": buyer.id})
    assert (status, body["data"]) == (200, None)

    status, body = await m.get(path)
    assert status == 400
    assert body == {
        "statusCode": 400,
        "messages": "customerId query parameter is required",
    }


async def test_unknown_product_is_not_found(m: Mayar) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for suffix, params in (
        ("", {}),
        ("/stats", {}),
        ("/customer", {"customerId": "x" * 36}),
    ):
        status, body = await m.get(
            f"/hl/v2/products/{missing}/reviews{suffix}", params=params
        )
        assert status == 404
        assert body == {"statusCode": 404, "messages": "Produk tidak ditemukan"}


async def test_product_stats_agree_with_the_product_listing(m: Mayar) -> None:
    for link in list(m.store.payment_links)[:3]:
        seen = await m.walk(f"/hl/v2/products/{link}/reviews", limit="100")
        status, body = await m.get(f"/hl/v2/products/{link}/reviews/stats")
        assert status == 200
        stats = body["data"]
        counts = Counter(r["rating"] for r in seen)
        assert stats["total"] == len(seen)
        average = sum(r["rating"] for r in seen) / len(seen)
        assert stats["average"] == pytest.approx(average, abs=0.05)
        assert [s["rating"] for s in stats["stats"]] == [5, 4, 3, 2, 1]
        for entry in stats["stats"]:
            assert entry["totalRating"] == counts[entry["rating"]]
            share = 100 * counts[entry["rating"]] / len(seen)
            assert abs(entry["percentage"] - share) <= 0.5


async def test_merchant_stats_cover_every_active_review(m: Mayar) -> None:
    active = await m.walk("/hl/v2/reviews", limit="100", status="ACTIVE")
    status, body = await m.get("/hl/v2/merchants/reviews/stats")
    assert status == 200
    assert set(body["data"]) == {"total", "average", "stats"}
    assert body["data"]["total"] == len(active)
    counts = Counter(r["rating"] for r in active)
    assert {s["rating"]: s["totalRating"] for s in body["data"]["stats"]} == {
        star: counts[star] for star in range(1, 6)
    }


BAD_LIST_QUERIES = [
    ("/hl/v2/reviews", {"limit": "0"}, "limit"),
    ("/hl/v2/reviews", {"limit": "101"}, "limit"),
    ("/hl/v2/reviews", {"limit": "ten"}, "limit"),
    ("/hl/v2/reviews", {"rating": "6"}, "rating"),
    ("/hl/v2/reviews", {"status": "DELETED"}, "status"),
    ("/hl/v2/reviews", {"startingAfter": "no-such-review"}, "startingAfter"),
    ("product", {"prioritizeMessage": "yes"}, "prioritizeMessage"),
    ("product", {"rating": "0"}, "rating"),
    ("product", {"limit": "-1"}, "limit"),
]


async def test_bad_list_parameters_fail_validation(m: Mayar) -> None:
    # One server for the whole table: the cases only read.
    for path, params, field in BAD_LIST_QUERIES:
        if path == "product":
            path = f"/hl/v2/products/{first_link(m.store)}/reviews"
        status, body = await m.get(path, params=params)
        assert (status, body["messages"]) == (200, "failed"), params
        assert [p["field"] for p in body["data"]] == [field], params
        assert body["data"][0]["reason"]


async def test_limit_maximum_is_one_hundred(m: Mayar) -> None:
    status, body = await m.get("/hl/v2/reviews", params={"limit": "100"})
    assert (status, len(body["data"])) == (200, 100)


# -- auth, limits, faults -----------------------------------------------------


BAD_AUTH = [
    {},
    {"Authorization": "Bearer wrong-key"},
    {"Authorization": CREDS.api_key},
    {"Authorization": f"Basic {CREDS.api_key}"},
    {"Authorization": "Bearer "},
]


async def test_missing_or_wrong_key_is_unauthorised(m: Mayar) -> None:
    for headers in BAD_AUTH:
        for method, path in (
            ("GET", "/hl/v2/reviews"),
            ("GET", "/hl/v2/merchants/reviews/stats"),
            ("POST", "/hl/v2/reviews/create"),
        ):
            status, body, _ = await m.call(method, path, headers=headers, json={})
            assert status == 401, headers
            assert body == {"statusCode": 401, "messages": "no authorization"}


async def test_read_only_key_reads_but_cannot_write(m: Mayar) -> None:
    link = first_link(m.store)
    review = next(
        r
        for r in m.store.reviews.values()
        if r.payment_link_id == link and r.status == "ACTIVE"
    )
    for path in ("/hl/v2/reviews", f"/hl/v2/products/{link}/reviews/stats"):
        status, body = await m.get(path, headers=RO)
        assert (status, body["messages"]) == (200, "success")
    writes = [
        (
            "/hl/v2/reviews/create",
            {"paymentLinkId": link, "customerEmail": f"ro@{OPEN}", "rating": 5},
        ),
        (f"/hl/v2/reviews/{review.id}/update", {"id": review.id, "rating": 1}),
        (
            "/hl/v2/reviews/bulk-status/update",
            {"input": [{"id": review.id, "status": "ARCHIVED"}]},
        ),
    ]
    for path, payload in writes:
        status, body = await m.post(path, payload, headers=RO)
        assert status == 403
        assert body == {
            "statusCode": 403,
            "messages": MayarSettings().read_only_message,
        }
    seen = await m.walk("/hl/v2/reviews", limit="100", paymentLinkId=link)
    assert len(seen) == sum(
        1 for r in m.store.reviews.values() if r.payment_link_id == link
    )
    item = next(r for r in seen if r["id"] == review.id)
    assert (item["status"], item["rating"]) == ("ACTIVE", review.rating)


async def test_rate_limit_per_ip_answers_429_with_retry_after() -> None:
    async with mayar(MayarSettings(rate_limit_per_minute=3)) as m:
        for _ in range(3):
            status, _body = await m.get("/hl/v2/merchants/reviews/stats")
            assert status == 200
        status, body, response = await m.call("GET", "/hl/v2/reviews", headers={})
        assert status == 429
        assert body == {"statusCode": 429, "messages": "Too Many Requests"}
        assert response.headers["Retry-After"] == "60"
        m.clock.now = NOW + timedelta(seconds=45)
        status, _, response = await m.call("GET", "/hl/v2/reviews")
        assert (status, response.headers["Retry-After"]) == (429, "15")
        m.clock.now = NOW + timedelta(seconds=60)
        status, _body = await m.get("/hl/v2/reviews")
        assert status == 200


def test_default_rate_limit_is_twenty_per_minute() -> None:
    assert MayarSettings().rate_limit_per_minute == 20


async def test_injected_faults_answer_in_the_mayar_envelope(m: Mayar) -> None:
    faults = {"mayar": {"errorRate": 1.0, "errorStatus": 503}}
    async with m.http.put(
        m.running.base_url + "/_sandbox/faults", json=faults
    ) as response:
        assert response.status == 200
    status, body = await m.get("/hl/v2/reviews")
    assert status == 503
    assert body == {"statusCode": 503, "messages": "Injected sandbox fault"}


async def test_unknown_path_is_an_enveloped_404(m: Mayar) -> None:
    status, body = await m.get("/hl/v2/reviewz")
    assert (status, body) == (404, {"statusCode": 404, "messages": "Not Found"})


# -- create --------------------------------------------------------------------


async def test_create_review_then_it_is_listed_counted_and_found(m: Mayar) -> None:
    link = first_link(m.store)
    _, before = await m.get(f"/hl/v2/products/{link}/reviews/stats")
    payload = {
        "paymentLinkId": link,
        "customerEmail": f"ani.wijaya@{OPEN}",
        "rating": 4,
        "message": "Barangnya bagus, pengiriman cepat.",
        "contentReview": [
            {"id": "file-image-1", "type": "image"},
            {"id": "file-video-1", "type": "video", "multipleFileId": "mf-1"},
        ],
    }
    status, body = await m.post("/hl/v2/reviews/create", payload)
    assert status == 200
    assert body["messages"] == "success"
    data = body["data"]
    assert set(data) == WRITTEN_KEYS
    assert data["status"] == "ACTIVE"
    assert data["createdAt"] == data["updatedAt"] == NOW_MS
    assert (data["rating"], data["message"]) == (4, payload["message"])
    assert data["paymentLinkId"] == link
    assert data["userId"] == CREDS.merchant_user_id

    _, listed = await m.get(f"/hl/v2/products/{link}/reviews", params={"limit": "1"})
    top = listed["data"][0]
    assert top["id"] == data["id"]
    assert top["customer"] == {"id": data["customerId"], "name": "Ani Wijaya"}
    assert [i["id"] for i in top["multipleImage"]] == ["file-image-1"]
    assert [c["value"] for c in top["content"]] == ["file-video-1"]
    _, after = await m.get(f"/hl/v2/products/{link}/reviews/stats")
    assert after["data"]["total"] == before["data"]["total"] + 1
    _, mine = await m.get(
        f"/hl/v2/products/{link}/reviews/customer",
        params={"customerId": data["customerId"]},
    )
    assert mine["data"]["id"] == data["id"]

    status, again = await m.post("/hl/v2/reviews/create", payload)
    assert (status, again) == (400, {"statusCode": 400, "messages": ALREADY})


async def test_create_checks_the_product_and_the_purchase(m: Mayar) -> None:
    links = list(m.store.payment_links)
    link = links[0]
    buyer = non_reviewer(m.store, link)
    status, body = await m.post(
        "/hl/v2/reviews/create",
        {"paymentLinkId": link, "customerEmail": buyer.upper(), "rating": 2},
    )
    assert (status, body["messages"]) == (200, "success")
    assert body["data"]["message"] is None
    customer = m.store.customer_by_email(buyer)
    assert customer is not None
    assert body["data"]["customerId"] == customer.id

    stranger = next(
        c.email
        for c in m.store.customers.values()
        if (c.id, link) not in m.store.purchases
    )
    for email in (stranger, "nobody@mail.example"):
        status, body = await m.post(
            "/hl/v2/reviews/create",
            {"paymentLinkId": link, "customerEmail": email, "rating": 5},
        )
        assert (status, body) == (400, {"statusCode": 400, "messages": NOT_BOUGHT})

    status, body = await m.post(
        "/hl/v2/reviews/create",
        {"paymentLinkId": "not-a-link", "customerEmail": f"x@{OPEN}", "rating": 5},
    )
    assert (status, body) == (
        404,
        {"statusCode": 404, "messages": "Produk tidak ditemukan"},
    )


async def test_open_buyer_domain_can_be_turned_off() -> None:
    async with mayar(
        MayarSettings(rate_limit_per_minute=None, open_buyer_domain=None)
    ) as m:
        status, body = await m.post(
            "/hl/v2/reviews/create",
            {
                "paymentLinkId": first_link(m.store),
                "customerEmail": f"a@{OPEN}",
                "rating": 5,
            },
        )
        assert (status, body["messages"]) == (400, NOT_BOUGHT)


GOOD = {"paymentLinkId": "LINK", "customerEmail": f"v@{OPEN}", "rating": 5}


BAD_CREATES = [
    ({"paymentLinkId": None}, ["paymentLinkId"]),
    ({"paymentLinkId": "ab"}, ["paymentLinkId"]),
    ({"paymentLinkId": "a" * 101}, ["paymentLinkId"]),
    ({"paymentLinkId": 12345}, ["paymentLinkId"]),
    ({"customerEmail": None}, ["customerEmail"]),
    ({"customerEmail": "not-an-email"}, ["customerEmail"]),
    ({"customerEmail": "a@b"}, ["customerEmail"]),
    ({"customerEmail": "a" * 95 + f"@{OPEN}"}, ["customerEmail"]),
    ({"rating": None}, ["rating"]),
    ({"rating": 0}, ["rating"]),
    ({"rating": 6}, ["rating"]),
    ({"rating": "5"}, ["rating"]),
    ({"rating": 4.5}, ["rating"]),
    ({"rating": True}, ["rating"]),
    ({"message": ""}, ["message"]),
    ({"message": "x" * 2001}, ["message"]),
    ({"contentReview": {"id": "f", "type": "image"}}, ["contentReview"]),
    (
        {"contentReview": [{"id": f"f{i}", "type": "image"} for i in range(11)]},
        ["contentReview"],
    ),
    ({"contentReview": [{"id": "f", "type": "audio"}]}, ["contentReview[0].type"]),
    (
        {"contentReview": [{"type": "image"}, "x"]},
        ["contentReview[0].id", "contentReview[1]"],
    ),
    (
        {"rating": 9, "message": "", "paymentLinkId": None},
        ["paymentLinkId", "rating", "message"],
    ),
]


async def test_create_rejects_invalid_bodies_with_field_detail(m: Mayar) -> None:
    _, before = await m.get("/hl/v2/merchants/reviews/stats")
    for change, fields in BAD_CREATES:
        payload = {**GOOD, "paymentLinkId": first_link(m.store), **change}
        body = {k: v for k, v in payload.items() if v is not None}
        status, answer = await m.post("/hl/v2/reviews/create", body)
        assert (status, answer["statusCode"]) == (200, 200), change
        assert answer["messages"] == "failed", change
        assert [p["field"] for p in answer["data"]] == fields, change
        assert all(p["reason"] for p in answer["data"])
    _, after = await m.get("/hl/v2/merchants/reviews/stats")
    assert after == before


async def test_create_boundaries_are_accepted(m: Mayar) -> None:
    link = first_link(m.store)
    payload = {
        "paymentLinkId": link,
        "customerEmail": "b" * (100 - len(OPEN) - 1) + f"@{OPEN}",
        "rating": 1,
        "message": "x" * 2000,
        "contentReview": [{"id": f"f{i}", "type": "image"} for i in range(10)],
    }
    status, body = await m.post("/hl/v2/reviews/create", payload)
    assert (status, body["messages"]) == (200, "success")


async def test_malformed_bodies_fail_validation(m: Mayar) -> None:
    headers = {**RW, "Content-Type": "application/json"}
    for raw in (b"{not json", b"[1, 2]", b"", b'"text"', b"\xff\xfe"):
        for path in (
            "/hl/v2/reviews/create",
            "/hl/v2/reviews/x/update",
            "/hl/v2/reviews/bulk-status/update",
        ):
            status, body, _ = await m.call("POST", path, data=raw, headers=headers)
            assert (status, body["messages"]) == (200, "failed"), (path, raw)
            assert [p["field"] for p in body["data"]] == ["body"]


# -- update --------------------------------------------------------------------


async def test_update_review_uses_the_body_id_and_changes_later_reads(m: Mayar) -> None:
    review = next(
        r for r in m.store.reviews.values() if r.images and r.status == "ACTIVE"
    )
    email = m.store.customers[review.customer_id].email
    m.clock.now = NOW + timedelta(hours=2)
    payload = {
        "id": review.id,
        "customerEmail": email,
        "paymentLinkId": review.payment_link_id,
        "rating": 1 if review.rating != 1 else 2,
        "message": "Updated: produk berubah setelah seminggu.",
        "deleteContentReview": [review.images[0].id],
        "contentReview": [{"id": "new-photo", "type": "image"}],
    }
    status, body = await m.post("/hl/v2/reviews/ignored-path-id/update", payload)
    assert (status, body["messages"]) == (200, "success")
    data = body["data"]
    assert set(data) == WRITTEN_KEYS
    assert data["id"] == review.id
    assert (data["rating"], data["message"]) == (payload["rating"], payload["message"])
    assert data["createdAt"] == review.created_at
    assert data["updatedAt"] == NOW_MS + 2 * 3600 * 1000

    _, mine = await m.get(
        f"/hl/v2/products/{review.payment_link_id}/reviews/customer",
        params={"customerId": review.customer_id},
    )
    assert mine["data"]["rating"] == payload["rating"]
    assert mine["data"]["message"] == payload["message"]
    images = [i["id"] for i in mine["data"]["multipleImage"]]
    assert images == [i.id for i in review.images[1:]] + ["new-photo"]


async def test_update_refusals(m: Mayar) -> None:
    reviews = list(m.store.reviews.values())
    review = reviews[0]
    other = next(r for r in reviews if r.payment_link_id != review.payment_link_id)
    stranger = next(
        c.email
        for c in m.store.customers.values()
        if (c.id, review.payment_link_id) not in m.store.purchases
    )
    fellow_buyer = non_reviewer(m.store, review.payment_link_id)
    cases = [
        ({"id": "00000000-unknown-review"}, 404, "Review tidak ditemukan"),
        (
            {"id": review.id, "paymentLinkId": other.payment_link_id},
            404,
            "Review tidak ditemukan",
        ),
        (
            {"id": review.id, "customerId": other.customer_id},
            404,
            "Review tidak ditemukan",
        ),
        (
            {"id": review.id, "customerEmail": fellow_buyer},
            404,
            "Review tidak ditemukan",
        ),
        (
            {"id": review.id, "customerEmail": stranger},
            404,
            "Transaksi tidak ditemukan",
        ),
    ]
    for payload, want_status, message in cases:
        status, body = await m.post(
            f"/hl/v2/reviews/{review.id}/update", {**payload, "rating": 3}
        )
        assert (status, body) == (
            want_status,
            {"statusCode": want_status, "messages": message},
        ), payload
    _, mine = await m.get(
        f"/hl/v2/products/{review.payment_link_id}/reviews/customer",
        params={"customerId": review.customer_id},
    )
    assert mine["data"]["rating"] == review.rating
    assert mine["data"]["updatedAt"] == review.updated_at


BAD_UPDATES = [
    ({"rating": 5}, ["id"]),
    ({"id": "ab"}, ["id"]),
    ({"id": "REVIEW", "rating": 7}, ["rating"]),
    ({"id": "REVIEW", "message": ""}, ["message"]),
    ({"id": "REVIEW", "customerEmail": "nope"}, ["customerEmail"]),
    ({"id": "REVIEW", "deleteContentReview": [1]}, ["deleteContentReview[0]"]),
    ({"id": "REVIEW", "deleteContentReview": ["x"] * 11}, ["deleteContentReview"]),
    (
        {"id": "REVIEW", "contentReview": [{"id": "f", "type": "gif"}]},
        ["contentReview[0].type"],
    ),
]


async def test_update_rejects_invalid_bodies(m: Mayar) -> None:
    review_id = next(iter(m.store.reviews))
    for payload, fields in BAD_UPDATES:
        body = {k: (review_id if v == "REVIEW" else v) for k, v in payload.items()}
        status, answer = await m.post(f"/hl/v2/reviews/{review_id}/update", body)
        assert (status, answer["messages"]) == (200, "failed"), payload
        assert [p["field"] for p in answer["data"]] == fields, payload


# -- bulk status -----------------------------------------------------------------


async def test_bulk_status_archives_and_reactivates(m: Mayar) -> None:
    link = first_link(m.store)
    active = [
        r
        for r in m.store.reviews.values()
        if r.payment_link_id == link and r.status == "ACTIVE"
    ]
    payload = {
        "input": [
            {"id": active[0].id, "status": "ARCHIVED", "paymentLinkId": link},
            {"id": active[1].id, "status": "INACTIVE"},
        ]
    }
    status, body = await m.post("/hl/v2/reviews/bulk-status/update", payload)
    assert (status, body) == (200, {"statusCode": 200, "messages": "success"})
    listed = await m.walk(f"/hl/v2/products/{link}/reviews", limit="100")
    assert {active[0].id, active[1].id}.isdisjoint(r["id"] for r in listed)
    assert len(listed) == len(active) - 2
    archived = await m.walk("/hl/v2/reviews", limit="100", status="ARCHIVED")
    hit = next(r for r in archived if r["id"] == active[0].id)
    assert hit["updatedAt"] == NOW_MS
    _, stats = await m.get(f"/hl/v2/products/{link}/reviews/stats")
    assert stats["data"]["total"] == len(active) - 2

    back = {"input": [{"id": active[0].id, "status": "ACTIVE"}]}
    await m.post("/hl/v2/reviews/bulk-status/update", back)
    listed = await m.walk(f"/hl/v2/products/{link}/reviews", limit="100")
    assert len(listed) == len(active) - 1


async def test_stats_are_empty_when_no_review_is_active(m: Mayar) -> None:
    link = first_link(m.store)
    ids = [r.id for r in m.store.reviews.values() if r.payment_link_id == link]
    for start in range(0, len(ids), 50):
        payload = {
            "input": [{"id": i, "status": "INACTIVE"} for i in ids[start : start + 50]]
        }
        status, _ = await m.post("/hl/v2/reviews/bulk-status/update", payload)
        assert status == 200
    status, body = await m.get(f"/hl/v2/products/{link}/reviews/stats")
    assert (status, body["data"]) == (200, {})
    assert await m.walk(f"/hl/v2/products/{link}/reviews") == []


async def test_bulk_status_with_a_foreign_review_changes_nothing(m: Mayar) -> None:
    link = first_link(m.store)
    review = next(
        r
        for r in m.store.reviews.values()
        if r.payment_link_id == link and r.status == "ACTIVE"
    )
    other_link = list(m.store.payment_links)[1]
    for bad in (
        {"id": "11111111-2222-4333-8444-555555555555", "status": "ARCHIVED"},
        {"id": review.id, "status": "ARCHIVED", "paymentLinkId": other_link},
    ):
        payload = {"input": [{"id": review.id, "status": "ARCHIVED"}, bad]}
        status, body = await m.post("/hl/v2/reviews/bulk-status/update", payload)
        assert (status, body) == (
            400,
            {
                "statusCode": 400,
                "messages": "Review is not valid! Please check your payload.",
            },
        )
    listed = await m.walk(f"/hl/v2/products/{link}/reviews", limit="100")
    assert review.id in {r["id"] for r in listed}


BAD_BULKS = [
    ({}, ["input"]),
    ({"input": []}, ["input"]),
    ({"input": "x"}, ["input"]),
    ({"input": [{"id": "r", "status": "ARCHIVED"}] * 51}, ["input"]),
    ({"input": [{"id": "r", "status": "DELETED"}]}, ["input[0].status"]),
    (
        {"input": [{"status": "ACTIVE"}, {"id": "r"}]},
        ["input[0].id", "input[1].status"],
    ),
]


async def test_bulk_status_rejects_invalid_bodies(m: Mayar) -> None:
    for payload, fields in BAD_BULKS:
        status, body = await m.post("/hl/v2/reviews/bulk-status/update", payload)
        assert (status, body["messages"]) == (200, "failed"), payload
        assert [p["field"] for p in body["data"]] == fields, payload


async def test_cursor_walk_survives_archiving_the_cursor_review(m: Mayar) -> None:
    link = first_link(m.store)
    path = f"/hl/v2/products/{link}/reviews"
    _, first = await m.get(path, params={"limit": "5"})
    cursor = first["nextStartingAfter"]
    await m.post(
        "/hl/v2/reviews/bulk-status/update",
        {"input": [{"id": cursor, "status": "ARCHIVED"}]},
    )
    _, second = await m.get(path, params={"limit": "5", "startingAfter": cursor})
    expected = newest(
        r
        for r in m.store.reviews.values()
        if r.payment_link_id == link and r.status == "ACTIVE"
    )
    assert [r["id"] for r in first["data"] + second["data"]] == expected[:10]


def test_review_json_survives_a_round_trip() -> None:
    # The wire body is plain JSON: no Decimal or datetime leaks into it.
    store = build_store(build_catalog(SEED), SEED)
    json.dumps(store.stats())
