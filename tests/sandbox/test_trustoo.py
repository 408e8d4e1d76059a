"""The Trustoo simulator over real HTTP: auth, shapes, constraints, paging, writes."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import math
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import pytest

from sandbox.catalog import ANCHOR, build_catalog
from sandbox.server import run_simulators
from sandbox.trustoo import TrustooSettings, TrustooStore, build_store

NOW = ANCHOR + timedelta(days=3, hours=5)
TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
HEX32 = re.compile(r"^[0-9a-f]{32}$")
CATALOG = build_catalog(1)
CREDS = CATALOG.credentials.trustoo
REVIEW_KEYS = {
    "id",
    "rating",
    "author",
    "author_email",
    "author_country",
    "title",
    "content",
    "commented_at",
    "is_verified",
    "media",
    "reply",
    "product_id",
    "product_title",
    "product_handle",
    "item_type",
    "source",
    "created_at",
    "updated_at",
}
Params = Iterable[tuple[str, str]]


@functools.cache
def expected_store() -> TrustooStore:
    """The independent copy of the seeded shop (read-only: tests never mutate it)."""
    return build_store(CATALOG, 1)


def published(store: TrustooStore) -> list[Any]:
    return [r for r in store.reviews.values() if r.is_published]


def signature(private: str, params: Params, ts: str, body: bytes = b"") -> str:
    # Written from vendors.md 1.3, independently of the simulator's auth module.
    pairs = sorted([*params, ("timestamp", ts)], key=lambda p: p[0])
    text = "&".join(f"{k}={v}" for k, v in pairs).encode()
    if body:
        text += b"|" + body
    return hmac.new(private.encode(), text, hashlib.sha256).hexdigest()


@dataclass
class Client:
    session: aiohttp.ClientSession
    base: str
    public: str = CREDS.public_token
    private: str = CREDS.private_token
    clock: datetime = NOW

    def headers(self, params: Params, body: bytes = b"") -> dict[str, str]:
        ts = str(int(self.clock.timestamp()))
        sign = signature(self.private, params, ts, body)
        return {"Public-Token": self.public, "Timestamp": ts, "Sign": sign}

    async def call(
        self,
        method: str,
        name: str,
        params: Params = (),
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        params = list(params)
        sent = self.headers(params, body) if headers is None else headers
        if body:
            sent["Content-Type"] = "application/json"
        url = f"{self.base}/api/v1/openapi/{name}"
        async with self.session.request(
            method, url, params=params, data=body or None, headers=sent
        ) as response:
            return response.status, await response.json()

    async def get(self, name: str, params: Params = ()) -> Any:
        status, payload = await self.call("GET", name, params)
        assert status == 200
        return payload

    async def post(self, name: str, body: object) -> Any:
        status, payload = await self.call("POST", name, body=json.dumps(body).encode())
        assert status == 200
        return payload

    async def walk(self, name: str, params: Params, size: int) -> list[Any]:
        rows: list[Any] = []
        page, total_page = 1, 1
        while page <= total_page:
            query = [*params, ("page", str(page)), ("page_size", str(size))]
            data = ok(await self.get(name, query))
            meta = data["page"]
            assert (meta["page"], meta["page_size"]) == (page, size)
            total_page = meta["total_page"]
            assert total_page == math.ceil(meta["count"] / size)
            rows += data["list"]
            page += 1
        assert len(rows) == meta["count"]
        return rows


def ok(payload: Any) -> Any:
    assert payload["code"] == 0, payload
    assert payload["message"] == "success"
    assert HEX32.match(payload["request_id"])
    assert payload["time"] == int(NOW.timestamp())
    return payload["data"]


def failed(payload: Any, code: int, mentions: str = "", case: object = None) -> None:
    assert payload["code"] == code, (case, payload)
    assert HEX32.match(payload["request_id"])
    assert mentions in payload["message"], (case, payload)


@asynccontextmanager
async def serve(settings: TrustooSettings | None = None) -> AsyncIterator[Client]:
    async with (
        run_simulators(
            providers={"trustoo"},
            clock=lambda: NOW,
            settings={"trustoo": settings} if settings else None,
        ) as running,
        aiohttp.ClientSession() as session,
    ):
        yield Client(session, running.url("trustoo"))


@pytest.fixture
async def client() -> AsyncIterator[Client]:
    async with serve() as running:
        yield running


def review_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "rating": 4,
        "author": "Trustoo Tester",
        "commented_at": "2026-10-20 08:30:00",
        "source": "Shop",
        "is_verified": 1,
        "is_featured": 0,
        "is_published": 1,
        "is_top": 0,
        "author_country": "US",
        "author_phone": "",
        "tag": "",
        "content": "this is a test",
        "media": {
            "images": ["https://img.example/a.jpg", "https://img.example/b.jpg"],
            "thumbnails": ["https://img.example/a_s.jpg"],
            "video": "",
            "video_thumbnail": "",
        },
        "reply": {"content": "Thank you", "reply_at": "2026-10-21 09:00:00"},
        "author_email": "tester@mail.example",
        "order_id": "",
        "product_id": CATALOG.on("trustoo")[0].trustoo_product_id,
        "title": "test",
        "item_type": "Red",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


# --- auth -----------------------------------------------------------------------


async def test_signed_request_with_lowercase_header_names_is_accepted(
    client: Client,
) -> None:
    params = [("page_size", "1")]
    headers = {k.lower(): v for k, v in client.headers(params).items()}
    status, payload = await client.call("GET", "get_reviews", params, headers=headers)
    assert status == 200
    assert len(ok(payload)["list"]) == 1


BAD_HEADERS = {
    "missing-sign": lambda h: h.pop("Sign"),
    "missing-public-token": lambda h: h.pop("Public-Token"),
    "missing-timestamp": lambda h: h.pop("Timestamp"),
    "wrong-public-token": lambda h: h.update({"Public-Token": "other"}),
    "bad-sign": lambda h: h.update({"Sign": "0" * 64}),
    "upper-case-hex": lambda h: h.update({"Sign": h["Sign"].upper()}),
    "bad-timestamp": lambda h: h.update({"Timestamp": "soon"}),
}


async def test_bad_credentials_get_code_16(client: Client) -> None:
    for case, mutate in BAD_HEADERS.items():
        headers = client.headers([])
        mutate(headers)
        status, payload = await client.call("GET", "get_shop_webhooks", headers=headers)
        assert status == 200, case
        failed(payload, 16, "authentication credentials", case)


async def test_timestamp_window_is_15_minutes(client: Client) -> None:
    for minutes, accepted in [(-16, False), (-14, True), (14, True), (16, False)]:
        client.clock = NOW + timedelta(minutes=minutes)
        status, payload = await client.call("GET", "get_shop_webhooks")
        assert status == 200
        assert payload["code"] == (0 if accepted else 16), minutes


async def test_signature_covers_query_and_raw_body(client: Client) -> None:
    params = [("product_ids", "1"), ("ratings", "5")]
    headers = client.headers(params[:1])
    _, payload = await client.call("GET", "get_reviews", params, headers=headers)
    failed(payload, 16)
    body = json.dumps({"id": 1}).encode()
    headers = client.headers([], json.dumps({"id": 2}).encode())
    _, payload = await client.call(
        "POST", "delete_shop_webhook", body=body, headers=headers
    )
    failed(payload, 16)
    assert ok(await client.get("get_shop_webhooks"))  # the webhook was not deleted


async def test_repeated_keys_are_signed_in_their_order(client: Client) -> None:
    pid = [str(p.trustoo_product_id) for p in CATALOG.on("trustoo")[:2]]
    params = [("product_ids", pid[1]), ("page", "1"), ("product_ids", pid[0])]
    data = ok(await client.get("get_reviews", params))
    assert {r["product_id"] for r in data["list"]} <= {int(p) for p in pid}
    swapped = [params[2], params[1], params[0]]
    _, payload = await client.call(
        "GET", "get_reviews", params, headers=client.headers(swapped)
    )
    failed(payload, 16)


async def test_verify_signature_off_still_checks_public_token() -> None:
    async with serve(TrustooSettings(verify_signature=False)) as client:
        _, payload = await client.call(
            "GET", "get_shop_webhooks", headers={"Public-Token": CREDS.public_token}
        )
        assert ok(payload)
        _, payload = await client.call(
            "GET", "get_shop_webhooks", headers={"Public-Token": "nope"}
        )
        failed(payload, 16)


async def test_auth_error_status_is_configurable() -> None:
    settings = TrustooSettings(auth_error_http_status=401, error_http_status=400)
    async with serve(settings) as client:
        status, payload = await client.call("GET", "get_reviews", headers={})
        assert status == 401
        failed(payload, 16)
        status, payload = await client.call("GET", "get_reviews", [("page", "0")])
        assert status == 400
        failed(payload, 3, "page")


# --- reviews: list, detail, rating ------------------------------------------------


async def test_get_reviews_walks_every_published_review_newest_first(
    client: Client,
) -> None:
    store = expected_store()
    rows = await client.walk("get_reviews", [], 100)
    want = sorted(published(store), key=lambda r: (r.commented_at, r.id), reverse=True)
    assert [r["id"] for r in rows] == [r.id for r in want]
    first = want[0]
    assert rows[0] == first.to_json(store.products.get(first.product_id))


async def test_get_reviews_ascending_with_odd_page_size(client: Client) -> None:
    rows = await client.walk("get_reviews", [("sort_by", "created-ascending")], 37)
    keys = [(r["commented_at"], r["id"]) for r in rows]
    assert keys == sorted(keys)
    assert len({r["id"] for r in rows}) == len(published(expected_store()))


async def test_review_object_shape(client: Client) -> None:
    rows = await client.walk("get_reviews", [], 100)
    names = {p.trustoo_product_id: p for p in CATALOG.on("trustoo")}
    for row in rows:
        assert set(row) >= REVIEW_KEYS
        assert isinstance(row["id"], int)
        assert row["rating"] in range(1, 6)
        for key in ("commented_at", "created_at", "updated_at"):
            assert TIME.match(row[key])
        assert row["is_verified"] in (0, 1)
        assert row["is_published"] == 1
        for item in row["media"]:
            assert set(item) == {"url", "thumbnail_url", "type"}
            assert item["type"] in (1, 2)
        assert row["reply"] is None or (
            set(row["reply"]) == {"content", "reply_at"}
            and TIME.match(row["reply"]["reply_at"])
        )
        product = names.get(row["product_id"])
        assert row["product_title"] == (product.name if product else "")
        assert row["product_handle"] == (product.handle if product else "")
    assert any(r["media"] for r in rows)
    assert any(r["reply"] for r in rows)
    assert {r["product_id"] for r in rows} >= set(names) | {0}


@pytest.mark.parametrize(
    "spelling",
    [
        lambda ids: [("product_ids", ",".join(ids))],
        lambda ids: [("product_ids", i) for i in ids],
        lambda ids: [("product_ids[]", i) for i in ids],
        lambda ids: [(f"product_ids[{n}]", i) for n, i in enumerate(ids)],
    ],
    ids=["comma", "repeated", "brackets", "indexed"],
)
async def test_array_params_accept_every_spelling(
    client: Client, spelling: Any
) -> None:
    products = [p.trustoo_product_id for p in CATALOG.on("trustoo")[:3]]
    rows = await client.walk("get_reviews", spelling([str(p) for p in products]), 100)
    want = [r.id for r in published(expected_store()) if r.product_id in products]
    assert sorted(r["id"] for r in rows) == sorted(want)


async def test_get_reviews_filters(client: Client) -> None:
    store = expected_store()
    cases = {
        "is_store_review=1": ([("is_store_review", "1")], lambda r: r.product_id == 0),
        "is_store_review=0": ([("is_store_review", "0")], lambda r: r.product_id != 0),
        "ratings": ([("ratings", "1,2")], lambda r: r.rating in (1, 2)),
        "sources": (
            [("sources[]", "Amazon"), ("sources[]", "QR Code")],
            lambda r: r.source in ("Amazon", "QR Code"),
        ),
        "keyword": (
            [("keyword", "KAPUTT")],
            lambda r: "kaputt" in f"{r.title} {r.content} {r.author}".casefold(),
        ),
    }
    for name, (params, test) in cases.items():
        rows = await client.walk("get_reviews", params, 100)
        want = [r.id for r in published(store) if test(r)]
        assert want, name
        assert sorted(r["id"] for r in rows) == sorted(want), name


async def test_unpublished_reviews_need_the_is_published_filter(client: Client) -> None:
    store = expected_store()
    hidden = [r.id for r in store.reviews.values() if not r.is_published]
    rows = await client.walk("get_reviews", [("is_published", "0")], 100)
    assert sorted(r["id"] for r in rows) == sorted(hidden)
    detail = ok(await client.get("get_review", [("id", str(hidden[0]))]))
    assert detail["is_published"] == 0


async def test_list_unpublished_setting_lists_everything() -> None:
    async with serve(TrustooSettings(list_unpublished=True)) as client:
        data = ok(await client.get("get_reviews", [("page_size", "1")]))
        assert data["page"]["count"] == len(expected_store().reviews)


BAD_LIST_PARAMS = [
    ([("page", "0")], "page"),
    ([("page_size", "0")], "page_size"),
    ([("page_size", "101")], "page_size"),
    ([("page_size", "ten")], "page_size"),
    ([("sort_by", "rating-descending")], "sort_by"),
    ([("ratings", "6")], "ratings"),
    ([("product_ids", "abc")], "product_ids"),
    ([("is_store_review", "2")], "is_store_review"),
    ([("sources", "Etsy")], "sources"),
]


async def test_get_reviews_rejects_bad_params(client: Client) -> None:
    for params, mentions in BAD_LIST_PARAMS:
        status, payload = await client.call("GET", "get_reviews", params)
        assert status == 200
        failed(payload, 3, mentions, params)


async def test_empty_params_mean_defaults(client: Client) -> None:
    params = [("page", ""), ("page_size", ""), ("sort_by", ""), ("keyword", "")]
    data = ok(await client.get("get_reviews", params))
    assert (data["page"]["page"], data["page"]["page_size"]) == (1, 20)
    assert data["page"]["count"] == len(published(expected_store()))


async def test_get_review_by_id(client: Client) -> None:
    store = expected_store()
    review = next(r for r in store.reviews.values() if r.media and r.reply)
    data = ok(await client.get("get_review", [("id", str(review.id))]))
    assert data == review.to_json(store.products.get(review.product_id))
    failed(await client.get("get_review", [("id", "1")]), 5)
    failed(await client.get("get_review"), 3, "id")


async def test_get_rating_matches_the_review_list(client: Client) -> None:
    product = CATALOG.on("trustoo")[1]
    pid = str(product.trustoo_product_id)
    scopes = {
        "product": [("product_id", pid)],
        "handle": [("product_handle", product.handle)],
        "store": [("product_id", "1"), ("is_store_rating", "1")],
        "all-products": [("is_all_products_rating", "1")],
        "all": [("is_all_rating", "1")],
    }
    listed = {
        "product": [("product_ids", pid)],
        "handle": [("product_ids", pid)],
        "store": [("is_store_review", "1")],
        "all-products": [("is_store_review", "0")],
        "all": [],
    }
    for name, params in scopes.items():
        rating = ok(await client.get("get_rating", params))
        rows = await client.walk("get_reviews", listed[name], 100)
        stars = [r["rating"] for r in rows]
        assert rating["review_count"] == len(rows), name
        assert [rating[f"star{n}_count"] for n in range(1, 6)] == [
            stars.count(n) for n in range(1, 6)
        ]
        assert isinstance(rating["rating_value"], str)
        assert float(rating["rating_value"]) == round(sum(stars) / len(stars), 1)


async def test_get_rating_unknown_product_and_missing_scope(client: Client) -> None:
    data = ok(await client.get("get_rating", [("product_id", "123455")]))
    assert data == {
        "rating_value": "0",
        "review_count": 0,
        **{f"star{n}_count": 0 for n in range(1, 6)},
    }
    failed(await client.get("get_rating"), 3, "product_id")
    async with serve(TrustooSettings(unknown_product_rating_not_found=True)) as strict:
        failed(await strict.get("get_rating", [("product_id", "123455")]), 5)


# --- reviews: writes -----------------------------------------------------------


async def test_create_review_is_listed_rated_and_detailed(client: Client) -> None:
    product = CATALOG.on("trustoo")[0]
    pid = str(product.trustoo_product_id)
    before = ok(await client.get("get_rating", [("product_id", pid)]))
    created = ok(await client.post("create_review", review_body()))
    assert set(created) >= REVIEW_KEYS
    assert created["id"] > max(expected_store().reviews)
    assert created["product_title"] == product.name
    assert created["commented_at"] == "2026-10-20 08:30:00"
    assert created["created_at"] == NOW.strftime("%Y-%m-%d %H:%M:%S")
    reply = {"content": "Thank you", "reply_at": "2026-10-21 09:00:00"}
    assert created["reply"] == reply
    assert [m["type"] for m in created["media"]] == [1, 1]
    assert created["media"][0]["thumbnail_url"] == "https://img.example/a_s.jpg"
    detail = ok(await client.get("get_review", [("id", str(created["id"]))]))
    assert detail == created
    rows = await client.walk("get_reviews", [("product_ids", pid)], 100)
    assert created["id"] in {r["id"] for r in rows}
    after = ok(await client.get("get_rating", [("product_id", pid)]))
    assert after["review_count"] == before["review_count"] + 1
    assert after["star4_count"] == before["star4_count"] + 1


async def test_create_store_review_unpublished_stays_off_the_list(
    client: Client,
) -> None:
    body = review_body(product_id=0, is_published=0, reply=None, media=None)
    created = ok(await client.post("create_review", body))
    assert (created["product_id"], created["product_title"]) == (0, "")
    assert created["reply"] is None
    assert created["media"] == []
    rows = await client.walk("get_reviews", [("is_store_review", "1")], 100)
    assert created["id"] not in {r["id"] for r in rows}
    hidden = await client.walk("get_reviews", [("is_published", "0")], 100)
    assert created["id"] in {r["id"] for r in hidden}


async def test_create_review_accepts_the_2026_media_array(client: Client) -> None:
    media = [
        {
            "url": "https://img.example/v.mp4",
            "thumbnail_url": "https://img.example/v.jpg",
            "type": 2,
        },
        {"url": "https://img.example/p.jpg", "type": 1, "is_published": 1},
    ]
    pid = str(CATALOG.on("trustoo")[2].trustoo_product_id)
    body = review_body(media=media, product_id=pid)
    created = ok(await client.post("create_review", body))
    assert created["product_id"] == int(pid)
    assert created["media"] == [
        {
            "url": "https://img.example/v.mp4",
            "thumbnail_url": "https://img.example/v.jpg",
            "type": 2,
        },
        {
            "url": "https://img.example/p.jpg",
            "thumbnail_url": "https://img.example/p.jpg",
            "type": 1,
        },
    ]


REQUIRED = [
    "rating", "author", "commented_at", "source",
    "is_verified", "is_featured", "is_published", "is_top",
]  # fmt: skip
BAD_FIELDS = [
    ("rating", 0),
    ("rating", 6),
    ("rating", "5"),
    ("rating", True),
    ("rating", 4.5),
    ("author", "x" * 121),
    ("author", 7),
    ("commented_at", "2025-06-20"),
    ("commented_at", "2025-06-20T00:00:00"),
    ("commented_at", "2025-13-01 00:00:00"),
    ("source", "Etsy"),
    ("source", "shop"),
    ("is_verified", 2),
    ("is_featured", "1"),
    ("is_published", True),
    ("is_top", -1),
    ("title", "t" * 301),
    ("content", "c" * 10_001),
    ("item_type", "i" * 121),
    ("author_email", "not-an-email"),
    ("product_id", -1),
    ("product_id", "abc"),
    ("order_id", ["1"]),
    ("media", "https://img.example/a.jpg"),
    ("reply", "thanks"),
    ("reply", {"content": "Hi", "reply_at": "yesterday"}),
]


async def test_create_review_requires_fields(client: Client) -> None:
    for field in REQUIRED:
        for missing in (..., None):
            payload = await client.post(
                "create_review", review_body(**{field: missing})
            )
            failed(payload, 3, field, field)


async def test_create_review_rejects_bad_fields(client: Client) -> None:
    for field, value in BAD_FIELDS:
        payload = await client.post("create_review", review_body(**{field: value}))
        failed(payload, 3, field, (field, value))
    rows = await client.walk("get_reviews", [("is_published", "1")], 100)
    assert len(rows) == len(published(expected_store()))  # nothing was written


async def test_create_review_media_limits(client: Client) -> None:
    eleven = [f"https://img.example/{n}.jpg" for n in range(11)]
    too_many = review_body(media={"images": eleven})
    failed(await client.post("create_review", too_many), 3, "media.images")
    ten = review_body(media={"images": eleven[:10]})
    assert len(ok(await client.post("create_review", ten))["media"]) == 10
    ftp = review_body(media={"images": ["ftp://img.example/a.jpg"]})
    failed(await client.post("create_review", ftp), 3, "media.images")
    odd = review_body(media=[{"url": "https://a.example/x", "type": 3}])
    failed(await client.post("create_review", odd), 3, "media.type")


async def test_create_review_edge_limits_are_accepted(client: Client) -> None:
    longest = {"author": 120, "title": 300, "content": 10_000, "item_type": 120}
    body = review_body(**{name: "x" * size for name, size in longest.items()})
    created = ok(await client.post("create_review", body))
    assert len(created["content"]) == 10_000


async def test_create_review_unknown_product_and_bad_json(client: Client) -> None:
    failed(await client.post("create_review", review_body(product_id=123455)), 5)
    failed(await client.post("create_review", [review_body()]), 3, "JSON object")
    status, payload = await client.call("POST", "create_review", body=b"{rating: 5")
    assert status == 200
    failed(payload, 3, "JSON")
    rows = await client.walk("get_reviews", [], 100)
    assert len(rows) == len(published(expected_store()))  # nothing was written


async def test_create_review_empty_response_setting() -> None:
    async with serve(TrustooSettings(create_review_response="empty")) as client:
        assert await client.post("create_review", review_body()) == {}
        rows = await client.walk("get_reviews", [("keyword", "this is a test")], 100)
        assert len(rows) == 1


async def test_delete_review(client: Client) -> None:
    victim = published(expected_store())[0]
    assert ok(await client.post("delete_review", {"id": victim.id})) is None
    failed(await client.get("get_review", [("id", str(victim.id))]), 5)
    rows = await client.walk("get_reviews", [], 100)
    assert victim.id not in {r["id"] for r in rows}
    failed(await client.post("delete_review", {"id": victim.id}), 5)
    failed(await client.post("delete_review", {}), 3, "id")
    failed(await client.post("delete_review", {"id": "x"}), 3, "id")


# --- webhooks, exclusions, unsubscribe ------------------------------------------


async def test_webhook_crud(client: Client) -> None:
    seeded = ok(await client.get("get_shop_webhooks"))
    assert [h["id"] for h in seeded] == [str(h) for h in expected_store().webhooks]
    body = {"topic": "review/deleted", "url": "https://hooks.example/deleted"}
    created = ok(await client.post("create_shop_webhook", body))
    assert set(created) == {"id", "topic", "url", "created_at", "updated_at"}
    assert isinstance(created["id"], str)
    assert TIME.match(created["created_at"])
    failed(await client.post("create_shop_webhook", body), 6)
    change = {"id": int(created["id"]), "topic": "customer_event/created"}
    updated = ok(await client.post("update_shop_webhook", change))
    assert (updated["topic"], updated["url"]) == ("customer_event/created", body["url"])
    listed = ok(await client.get("get_shop_webhooks"))
    assert updated in listed
    assert len(listed) == len(seeded) + 1
    assert ok(await client.post("delete_shop_webhook", {"id": created["id"]})) is None
    assert ok(await client.get("get_shop_webhooks")) == seeded
    failed(await client.post("delete_shop_webhook", {"id": created["id"]}), 5)
    unknown = {"id": 999, "url": body["url"]}
    failed(await client.post("update_shop_webhook", unknown), 5)


async def test_create_webhook_rejects_bad_input(client: Client) -> None:
    cases: list[tuple[dict[str, str], str]] = [
        ({"url": "https://hooks.example/x"}, "topic"),
        ({"topic": "review/created"}, "url"),
        ({"topic": "order/created", "url": "https://hooks.example/x"}, "topic"),
        ({"topic": "review/created", "url": "hooks.example/x"}, "url"),
        ({"topic": "review/created", "url": "https://"}, "url"),
    ]
    for body, mentions in cases:
        failed(await client.post("create_shop_webhook", body), 3, mentions, body)
    assert len(ok(await client.get("get_shop_webhooks"))) == 1


async def test_customer_exclusions(client: Client) -> None:
    store = expected_store()
    seeded = await client.walk("get_customer_excludes", [], 2)
    assert sorted(e["customer_id"] for e in seeded) == sorted(store.exclusions)
    known = list(store.customers.values())[10]
    created = ok(await client.post("create_customer_exclude", {"email": known.email}))
    assert created["customer_id"] == known.customer_id
    assert created["first_name"] == known.first_name
    assert created["last_name"] == known.last_name
    new = {"email": "new@mail.example"}
    stranger = ok(await client.post("create_customer_exclude", new))
    assert stranger["first_name"] == ""
    assert stranger["customer_id"] not in store.exclusions
    again = {"email": known.email.upper()}
    failed(await client.post("create_customer_exclude", again), 6)
    rows = await client.walk("get_customer_excludes", [], 3)
    assert rows[0]["customer_id"] in (created["customer_id"], stranger["customer_id"])
    assert len(rows) == len(seeded) + 2
    by_email = {"email": known.email}
    assert ok(await client.post("delete_customer_exclude", by_email)) is None
    by_id = {"customer_id": stranger["customer_id"]}
    assert ok(await client.post("delete_customer_exclude", by_id)) is None
    assert len(await client.walk("get_customer_excludes", [], 3)) == len(seeded)
    failed(await client.post("delete_customer_exclude", by_id), 5)


async def test_exclusion_input_errors(client: Client) -> None:
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("create_customer_exclude", {}, "email"),
        ("create_customer_exclude", {"email": "nobody"}, "email"),
        ("delete_customer_exclude", {}, "exactly one"),
        (
            "delete_customer_exclude",
            {"customer_id": 1, "email": "a@b.example"},
            "exactly one",
        ),
        ("delete_customer_exclude", {"customer_id": "abc"}, "customer_id"),
    ]
    for name, body, mentions in cases:
        failed(await client.post(name, body), 3, mentions, (name, body))


async def test_email_unsubscribe(client: Client) -> None:
    body = {"email": "someone@mail.example", "email_type": "review_request"}
    for _ in range(2):  # idempotent
        payload = await client.post("email_unsubscribe", body)
        assert set(payload) == {"code", "message", "request_id"}
        assert (payload["code"], payload["message"]) == (0, "OK")
    spam = {**body, "email_type": "spam"}
    failed(await client.post("email_unsubscribe", spam), 3, "email_type")
    failed(await client.post("email_unsubscribe", {"email_type": "all"}), 3, "email")


# --- orders, events, media --------------------------------------------------------


async def test_orders_paging_and_filters(client: Client) -> None:
    store = expected_store()
    rows = await client.walk("get_orders", [("type", "0"), ("start_time", "")], 25)
    want = sorted(store.orders, key=lambda o: (o.created_at, o.id), reverse=True)
    assert rows == [o.to_json() for o in want]
    assert len(rows[0]) == 9
    for status in range(1, 7):
        got = await client.walk("get_orders", [("type", str(status))], 100)
        assert len(got) == sum(o.status == status for o in store.orders) > 0
    start, end = ANCHOR - timedelta(days=60), ANCHOR - timedelta(days=30)
    window = [
        ("start_sent_at", f"{start:%Y-%m-%d}"),
        ("end_sent_at", f"{end:%Y-%m-%d %H:%M:%S}"),
    ]
    sent = await client.walk("get_orders", window, 100)
    expected = [o.id for o in store.orders if o.sent_at and start <= o.sent_at <= end]
    assert expected
    assert sorted(o["id"] for o in sent) == sorted(expected)
    since = [("start_time", str(int(start.timestamp()))), ("end_time", "")]
    recent = await client.walk(
        "get_orders", [*since, ("sort_by", "created-ascending")], 100
    )
    assert [o["id"] for o in recent] == [
        o.id for o in store.orders if o.created_at >= start
    ]
    failed(await client.get("get_orders", [("type", "7")]), 3, "type")
    vague = [("start_time", "last week")]
    failed(await client.get("get_orders", vague), 3, "start_time")


async def test_customer_events_paging_and_filters(client: Client) -> None:
    store = expected_store()
    oldest_first = [("sort_by", "created-ascending")]
    rows = await client.walk("get_customer_events", oldest_first, 40)
    assert rows == [e.to_json() for e in store.events]
    params = [("event_type", "CLICK_MEDIA"), ("os_type", "IOS"), ("event_source", "")]
    got = await client.walk("get_customer_events", params, 100)
    pair = ("CLICK_MEDIA", "IOS")
    want = [e.id for e in store.events if (e.event_type, e.os_type) == pair]
    assert sorted(e["id"] for e in got) == sorted(want)
    for name in ("event_type", "os_type", "event_source"):
        failed(await client.get("get_customer_events", [(name, "BOGUS")]), 3, name)
    async with serve(TrustooSettings(strict_event_enums=False)) as lenient:
        data = ok(await lenient.get("get_customer_events", [("event_type", "BOGUS")]))
        assert data["page"]["count"] == 0


async def test_media_upload_credentials(client: Client) -> None:
    image = ok(await client.get("get_image_upload_policy_token"))
    assert set(image) == {
        "access_id", "host", "expire", "signature", "policy", "dir", "callback"
    }  # fmt: skip
    assert image["expire"] == int(NOW.timestamp()) + 1800
    video = ok(await client.get("get_video_upload_url", [("file_name", "clip.mp4")]))
    assert video["upload_url"].startswith(video["video_url"] + "?")
    assert video["video_url"].endswith("clip.mp4")
    exe = [("file_name", "x.exe")]
    failed(await client.get("get_video_upload_url", exe), 3, "file_name")


# --- errors outside the handlers ---------------------------------------------------


async def test_unknown_path_and_method(client: Client) -> None:
    status, payload = await client.call("GET", "get_everything")
    assert status == 404
    failed(payload, 5)
    status, payload = await client.call("GET", "create_review")
    assert status == 405
    failed(payload, 5)


@pytest.mark.parametrize(
    ("faults", "status", "code"),
    [({"errorRate": 1.0}, 503, 13), ({"rateLimitPerMinute": 1}, 429, 8)],
)
async def test_injected_faults_use_the_envelope(
    faults: dict[str, Any], status: int, code: int
) -> None:
    async with (
        run_simulators(providers={"trustoo"}, clock=lambda: NOW) as running,
        aiohttp.ClientSession() as session,
    ):
        url = f"{running.base_url}/_sandbox/faults"
        put = await session.put(url, json={"trustoo": faults})
        put.release()
        client = Client(session, running.url("trustoo"))
        answers = [await client.call("GET", "get_shop_webhooks") for _ in range(2)]
        got_status, payload = answers[-1]
        assert got_status == status
        failed(payload, code)
        assert payload["time"] == int(NOW.timestamp())
