"""TrustooClient against the Trustoo simulator over real HTTP, plus its pure mappers.

Expected values come from an independent copy of the seeded shop
(``build_store(catalog, seed)``) or from cross-checking another endpoint, never
from pasted output. Upstream calls are counted on the sandbox's request log.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import json
import socket
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from gateway.config import CatalogEntry, Secret, Settings, TrustooSettings
from gateway.errors import (
    ProviderAuthError,
    ProviderBadRequest,
    ProviderError,
    ProviderNotFound,
    ProviderPayloadError,
    ProviderRateLimited,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from gateway.http import open_session
from gateway.providers.trustoo import (
    EmailType,
    OrderState,
    ReviewDraft,
    TrustooClient,
)
from gateway.providers.trustoo.auth import signed_headers, string_to_sign
from gateway.providers.trustoo.envelope import unwrap
from gateway.providers.trustoo.mapping import (
    ProductIndex,
    to_customer_event,
    to_customer_exclusion,
    to_image_upload,
    to_rating_summary,
    to_review,
    to_review_request_order,
    to_webhook,
)
from gateway.providers.trustoo.review_input import compact_json, create_review_body
from gateway.records import (
    Media,
    MediaType,
    Provider,
    Reply,
    ReviewKey,
    ReviewQuery,
    ReviewStatus,
    StarDistribution,
)
from gateway.sandbox import sandbox_settings
from sandbox.catalog import build_catalog
from sandbox.control import FaultSettings
from sandbox.server import RunningSandbox, run_simulators
from sandbox.trustoo import TrustooSettings as SimulatorSettings
from sandbox.trustoo import TrustooStore, build_store
from tests.conftest import FakeClock

SAMPLES = Path(__file__).parent / "samples" / "trustoo"
CATALOG = build_catalog(1)
PRIVATE = CATALOG.credentials.trustoo.private_token
PUBLISHED = frozenset({ReviewStatus.PUBLISHED})
BOTH = frozenset({ReviewStatus.PUBLISHED, ReviewStatus.HIDDEN})
ON_TRUSTOO = CATALOG.on("trustoo")
NOT_ON_TRUSTOO = next(p.sku for p in CATALOG.products if p not in ON_TRUSTOO)


def sample(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.json").read_text())


@functools.cache
def store() -> TrustooStore:
    """The independent copy of the seeded shop (read-only)."""
    return build_store(CATALOG, 1)


def expected_ids(
    *, product_ids: Iterable[int] | None = None, published: Iterable[int] = (1,)
) -> list[str]:
    """Review ids the platform holds for a filter, newest first (its own order)."""
    wanted = set(product_ids) if product_ids is not None else None
    rows = [
        r
        for r in store().reviews.values()
        if r.is_published in set(published)
        and (wanted is None or r.product_id in wanted)
    ]
    rows.sort(key=lambda r: (r.commented_at, r.id), reverse=True)
    return [str(r.id) for r in rows]


def products() -> ProductIndex:
    return ProductIndex.of(
        CatalogEntry(sku=p.sku, trustoo_product_id=p.trustoo_product_id, name=p.name)
        for p in CATALOG.products
    )


@dataclass
class Env:
    running: RunningSandbox
    settings: Settings
    client: TrustooClient
    clock: FakeClock

    def calls(self) -> list[Any]:
        return self.running.log.entries("trustoo")

    def queries(self) -> list[dict[str, str]]:
        return [dict(parse_qsl(e.query)) for e in self.calls()]

    def fault(self, **faults: Any) -> None:
        self.running.sandbox.controls["trustoo"].apply(FaultSettings(**faults))


@asynccontextmanager
async def connect(
    clock: FakeClock,
    simulator: SimulatorSettings | None = None,
    *,
    client_now: Callable[[], datetime] | None = None,
    **changes: Any,
) -> AsyncIterator[Env]:
    async with run_simulators(
        providers={"trustoo"},
        clock=clock.now,
        settings={"trustoo": simulator} if simulator else None,
    ) as running:
        settings = sandbox_settings(running)
        assert settings.trustoo is not None
        trustoo = dataclasses.replace(settings.trustoo, **changes)
        async with open_session(trustoo) as session:
            client = TrustooClient(
                trustoo,
                session,
                catalog=settings.catalog,
                monotonic=clock.monotonic,
                now=client_now or clock.now,
            )
            yield Env(running, settings, client, clock)


@pytest.fixture
async def env(clock: FakeClock) -> AsyncIterator[Env]:
    async with connect(clock) as connected:
        yield connected


def assert_no_secret(error: BaseException) -> None:
    texts = [str(error), repr(error), json.dumps(getattr(error, "extensions", {}))]
    texts.append(str(getattr(error, "vendor_message", "")))
    for text in texts:
        assert PRIVATE not in text
        assert "private" not in text.lower()


# --- mapping (pure) ---------------------------------------------------------------


def test_review_sample_maps_every_field() -> None:
    review = to_review(sample("review_full"), products())
    first = ON_TRUSTOO[0]
    assert review.provider is Provider.TRUSTOO
    assert review.provider_review_id == "48210777"
    assert (review.rating, review.rating_exact) == (5, 5.0)
    assert review.created_at == datetime(2025, 6, 20, tzinfo=UTC)
    assert review.updated_at == datetime(2025, 6, 21, 8, 30, tzinfo=UTC)
    assert review.status is ReviewStatus.HIDDEN
    assert review.verified is True
    assert review.imported is False
    assert (review.title, review.body, review.language) == (
        "test",
        "this is a test",
        None,
    )
    assert review.author.display_name == "Trustoo"
    assert review.author.country == "US"
    assert review.customer is not None
    assert review.customer.email == "trustoo@gmail.com"
    assert review.customer.phone == "+1 555 0100"
    assert review.customer.order_reference == "5630000000042"
    assert review.product is not None
    assert review.product.sku == first.sku
    assert review.product.provider_product_id == str(first.trustoo_product_id)
    assert review.media == (
        Media(
            MediaType.IMAGE,
            "https://img.trustoo.io/a.jpg",
            "https://img.trustoo.io/a_s.jpg",
        ),
        Media(MediaType.VIDEO, "https://img.trustoo.io/v.mp4", None),
    )
    assert review.reply is not None
    assert review.reply.body == "Thank you"
    assert review.reply.created_at == datetime(2025, 6, 21, 8, 30, tzinfo=UTC)
    assert review.locator is None
    assert review.raw == sample("review_full")


def test_review_with_optional_fields_missing_maps_to_defaults() -> None:
    review = to_review(sample("review_minimal"), products())
    assert review.status is ReviewStatus.PUBLISHED  # the storefront list's default
    assert review.product is None
    assert review.customer is None
    assert review.reply is None
    assert review.media == ()
    assert review.verified is None
    assert review.updated_at is None
    assert (review.title, review.body) == (None, None)


def test_seed_media_object_and_imported_store_review() -> None:
    review = to_review(sample("review_media_object"), products())
    assert review.product is None  # product_id 0: a store review
    assert review.imported is True  # AliExpress
    assert review.reply is None  # an empty reply is no reply
    assert review.customer is None
    assert [(m.type, m.url, m.thumbnail_url) for m in review.media] == [
        (
            MediaType.IMAGE,
            "https://img.trustoo.io/1.jpg",
            "https://img.trustoo.io/1_s.jpg",
        ),
        (MediaType.IMAGE, "https://img.trustoo.io/2.jpg", None),
        (MediaType.VIDEO, "https://img.trustoo.io/v.mp4", None),
    ]


@pytest.mark.parametrize(
    "source",
    ["CSV uploaded", "AliExpress", "Amazon", "Shopee", "Shop", "Email request"],
)
def test_imported_follows_the_source(source: str) -> None:
    raw = {**sample("review_minimal"), "source": source}
    imported = source in {"CSV uploaded", "AliExpress", "Amazon", "Shopee"}
    assert to_review(raw, products()).imported is imported


def test_a_product_missing_from_the_catalog_keeps_its_id_without_sku() -> None:
    raw = {**sample("review_minimal"), "product_id": 99, "product_title": "Old"}
    product = to_review(raw, products()).product
    assert product is not None
    assert (product.provider_product_id, product.sku, product.name) == (
        "99",
        None,
        "Old",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"id": None},
        {"rating": None},
        {"rating": "5"},
        {"rating": 9},
        {"author": None},
        {"commented_at": None},
        {"commented_at": "20/06/2025"},
        {"is_published": "yes"},
        {"media": "none"},
        {"media": [{"url": "https://x.example/a.jpg"}]},
        {"reply": "Thanks"},
    ],
)
def test_review_drift_is_a_payload_error(change: dict[str, Any]) -> None:
    raw = {**sample("review_full"), **change}
    raw = {k: v for k, v in raw.items() if v is not None}
    with pytest.raises(ProviderPayloadError) as caught:
        to_review(raw, products())
    assert caught.value.provider == "trustoo"
    with pytest.raises(ProviderPayloadError):
        to_review([raw], products())


def test_rating_sample_maps_the_string_average() -> None:
    summary = to_rating_summary(unwrap(sample("rating"), 200), "SKU-1")
    assert (summary.sku, summary.count, summary.average) == ("SKU-1", 10, 4.5)
    assert summary.distribution == StarDistribution(0, 1, 0, 2, 7)
    empty = {**sample("rating")["data"], "rating_value": "0", "review_count": 0}
    assert to_rating_summary(empty, None).average is None


@pytest.mark.parametrize(
    "change", [{"rating_value": "n/a"}, {"rating_value": None}, {"star3_count": None}]
)
def test_rating_drift_is_a_payload_error(change: dict[str, Any]) -> None:
    raw = {**sample("rating")["data"], **change}
    with pytest.raises(ProviderPayloadError):
        to_rating_summary({k: v for k, v in raw.items() if v is not None}, None)


def test_shop_samples_map_to_records() -> None:
    hooks = unwrap(sample("webhooks_2024"), 200)  # code 2000 is success too
    assert isinstance(hooks, list)
    hook = to_webhook(hooks[0])
    assert (hook.id, hook.topic) == ("12", "review/created")
    assert hook.created_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    excluded = to_customer_exclusion(sample("customer_exclude"))
    assert (excluded.customer_id, excluded.email, excluded.phone) == (
        "7810000000000",
        "ava@example.com",
        None,
    )
    order = to_review_request_order(sample("order"))
    assert (order.id, order.order_number, order.status) == (
        "5630000000042",
        "#1007",
        "sent",
    )
    assert order.sent_at == datetime(2025, 6, 17, 9, tzinfo=UTC)
    event = to_customer_event(sample("customer_event"))
    assert (event.id, event.event_type, event.os_type) == ("31", "VIEW_REVIEW", "IOS")
    upload = to_image_upload(sample("image_policy"))
    assert upload.fields["dir"] == "openapi/1/2025/06/20/"
    assert upload.expires_at == datetime.fromtimestamp(1750379400, UTC)
    assert unwrap(sample("unsubscribe"), 200) is None


@pytest.mark.parametrize(
    ("code", "status", "error", "vendor_code", "keeps_text"),
    [
        (16, 200, ProviderAuthError, "UNAUTHENTICATED", False),
        (3, 200, ProviderBadRequest, "INVALID_ARGUMENT", True),
        (5, 200, ProviderNotFound, "NOT_FOUND", False),
        (6, 200, ProviderRejected, "ALREADY_EXISTS", True),
        (8, 200, ProviderRejected, "REJECTED", True),
        (8, 429, ProviderRateLimited, "REJECTED", False),
        (13, 200, ProviderUnavailable, "INTERNAL", False),
        (4, 200, ProviderTimeout, "DEADLINE_EXCEEDED", False),
        (99, 200, ProviderUnavailable, "CODE_99", False),
    ],
)
def test_envelope_codes_map_to_errors(
    code: int,
    status: int,
    error: type[ProviderError],
    vendor_code: str,
    keeps_text: bool,
) -> None:
    body = {**sample("error_unauthenticated"), "code": code, "message": "the text"}
    with pytest.raises(error) as caught:
        unwrap(body, status)
    assert type(caught.value) is error
    assert caught.value.vendor_code == vendor_code
    assert caught.value.http_status == status
    assert caught.value.vendor_message == ("the text" if keeps_text else None)
    assert "the text" not in str(caught.value)


@pytest.mark.parametrize("body", [None, [], {"message": "ok"}, {"code": "0"}])
def test_an_envelope_without_a_code_is_drift(body: object) -> None:
    with pytest.raises(ProviderPayloadError):
        unwrap(body, 200)


def test_signature_follows_vendors_md_1_3() -> None:
    params = {"product_ids": "2,1", "page": "1"}
    assert string_to_sign(params, "1750377600") == (
        b"page=1&product_ids=2,1&timestamp=1750377600"
    )
    body = b'{"id":5}'
    headers = signed_headers("pub", Secret("key"), {}, "1750377600", body)
    expected = hmac.new(b"key", b'timestamp=1750377600|{"id":5}', hashlib.sha256)
    assert headers == {
        "Public-Token": "pub",
        "Timestamp": "1750377600",
        "Sign": expected.hexdigest(),
    }


def test_a_draft_like_the_seed_example_serialises_to_the_seed_body() -> None:
    seed = sample("create_review_request")
    draft = ReviewDraft(
        rating=5,
        author="Trustoo",
        created_at=datetime(2025, 6, 20, tzinfo=UTC),
        source="Shop",
        featured=True,
        published=False,
        author_country="US",
        author_phone="",
        tag="",
        body="this is a test",
        reply=Reply("Thank you", datetime(2025, 6, 20, tzinfo=UTC)),
        author_email="trustoo@gmail.com",
        order_reference="",
        title="test",
        variant="Red",
    )
    body = create_review_body(draft, products(), datetime(2026, 1, 1, tzinfo=UTC))
    # An empty media object is left out rather than sent empty.
    assert body == {k: v for k, v in seed.items() if k != "media"}
    assert compact_json(body) == json.dumps(body, separators=(",", ":")).encode()


# --- list_reviews -------------------------------------------------------------------


async def test_first_page_is_the_newest_published_reviews(env: Env) -> None:
    page = await env.client.list_reviews(ReviewQuery(), limit=25)
    assert [r.provider_review_id for r in page.items] == expected_ids()[:25]
    assert page.total == len(expected_ids())
    assert page.next is not None
    assert all(r.status is ReviewStatus.PUBLISHED for r in page.items)
    (query,) = env.queries()
    assert query == {
        "sort_by": "created-descending",
        "is_published": "1",
        "page": "1",
        "page_size": "25",
    }


async def test_paging_to_the_end_yields_every_review_once_in_order(env: Env) -> None:
    seen: list[str] = []
    position: str | None = None
    while True:
        page = await env.client.list_reviews(ReviewQuery(), position, limit=100)
        seen += [r.provider_review_id for r in page.items]
        position = page.next
        if position is None:
            break
    assert seen == expected_ids()
    assert len(env.calls()) == -(-len(seen) // 100)


async def test_product_filter_sends_one_comma_list_and_maps_skus(env: Env) -> None:
    picked = ON_TRUSTOO[:3]
    skus = (picked[0].sku, picked[1].sku, picked[2].sku, NOT_ON_TRUSTOO, "NO-SUCH")
    ids = [p.trustoo_product_id for p in picked]
    page = await env.client.list_reviews(ReviewQuery(skus=skus), limit=100)
    want = expected_ids(product_ids=[i for i in ids if i is not None])
    assert [r.provider_review_id for r in page.items] == want[:100]
    assert {r.product.sku for r in page.items if r.product} <= set(skus[:3])
    (query,) = env.queries()
    assert query["product_ids"] == ",".join(str(i) for i in sorted(ids))  # type: ignore[type-var]
    assert "is_store_review" not in query


async def test_unlisted_skus_contribute_nothing_and_cost_no_call(env: Env) -> None:
    page = await env.client.list_reviews(ReviewQuery(skus=(NOT_ON_TRUSTOO, "NOPE")))
    assert (page.items, page.next) == ((), None)
    page = await env.client.list_reviews(ReviewQuery(language="en"))
    assert page.items == ()
    page = await env.client.list_reviews(
        ReviewQuery(statuses=frozenset({ReviewStatus.PENDING}))
    )
    assert page.items == ()
    page = await env.client.list_reviews(ReviewQuery(ratings=frozenset({0, 6})))
    assert page.items == ()
    page = await env.client.list_reviews(
        ReviewQuery(skus=(ON_TRUSTOO[0].sku,), shop=True)
    )
    assert page.items == ()
    assert env.calls() == []


async def test_shop_reviews_only(env: Env) -> None:
    page = await env.client.list_reviews(ReviewQuery(shop=True), limit=100)
    assert [r.provider_review_id for r in page.items] == expected_ids(product_ids=[0])[
        :100
    ]
    assert all(r.product is None for r in page.items)
    assert env.queries()[0]["is_store_review"] == "1"


async def test_ratings_are_pushed_down(env: Env) -> None:
    sku = ON_TRUSTOO[1]
    query = ReviewQuery(skus=(sku.sku,), ratings=frozenset({1, 2}))
    page = await env.client.list_reviews(query, limit=100)
    want = [
        i
        for i in expected_ids(product_ids=[sku.trustoo_product_id or 0])
        if store().reviews[int(i)].rating in {1, 2}
    ]
    assert [r.provider_review_id for r in page.items] == want
    assert env.queries()[0]["ratings"] == "1,2"


async def test_hidden_reviews_come_from_the_is_published_filter(env: Env) -> None:
    query = ReviewQuery(statuses=frozenset({ReviewStatus.HIDDEN}))
    page = await env.client.list_reviews(query, limit=100)
    assert [r.provider_review_id for r in page.items] == expected_ids(published=[0])[
        :100
    ]
    assert all(r.status is ReviewStatus.HIDDEN for r in page.items)
    assert env.queries()[0]["is_published"] == "0"


async def test_published_and_hidden_merge_in_order_exactly_once(env: Env) -> None:
    product = ON_TRUSTOO[2]
    query = ReviewQuery(skus=(product.sku,), statuses=BOTH)
    seen: list[str] = []
    position: str | None = None
    for _ in range(100):
        page = await env.client.list_reviews(query, position, limit=7)
        assert len(page.items) <= 7
        seen += [r.provider_review_id for r in page.items]
        position = page.next
        if position is None:
            break
    want = expected_ids(product_ids=[product.trustoo_product_id or 0], published=[0, 1])
    assert seen == want
    assert {"0", "1"} == {q["is_published"] for q in env.queries()}


async def test_date_bounds_are_applied_in_the_client(env: Env) -> None:
    newest = store().reviews[int(expected_ids()[0])].commented_at
    after, before = newest - timedelta(days=20), newest - timedelta(days=5)
    query = ReviewQuery(created_after=after, created_before=before)
    seen: list[str] = []
    position: str | None = None
    while True:
        page = await env.client.list_reviews(query, position, limit=30)
        assert page.total is None
        seen += [r.provider_review_id for r in page.items]
        position = page.next
        if position is None:
            break
    want = [
        i
        for i in expected_ids()
        if after <= store().reviews[int(i)].commented_at < before
    ]
    assert want
    assert seen == want
    # Newest first: paging stops at the first review older than the lower bound.
    assert len(env.calls()) < -(-len(expected_ids()) // 100)


@pytest.mark.parametrize("limit", [0, 101])
async def test_limit_beyond_the_platform_maximum_is_refused(
    env: Env, limit: int
) -> None:
    with pytest.raises(ValueError, match="limit"):
        await env.client.list_reviews(ReviewQuery(), limit=limit)


@pytest.mark.parametrize("position", ["garbage!", "e30", "WzEsMl0"])
async def test_a_foreign_position_is_refused(env: Env, position: str) -> None:
    with pytest.raises(ValueError, match="position"):
        await env.client.list_reviews(ReviewQuery(), position)
    assert env.calls() == []


# --- reviews_by_keys / summaries ---------------------------------------------------


async def test_reviews_by_keys_is_aligned_deduplicated_and_concurrent(env: Env) -> None:
    hidden = expected_ids(published=[0])[0]
    shown = expected_ids()[3]
    keys = [
        ReviewKey(shown),
        ReviewKey("1"),
        ReviewKey(hidden),
        ReviewKey(shown),
        ReviewKey("abc"),
    ]
    found = await env.client.reviews_by_keys(keys)
    assert len(found) == 5
    first, missing, unpublished, again, bad = found
    assert first is not None
    assert not isinstance(first, ProviderError)
    assert first.provider_review_id == shown
    assert again == first
    assert (missing, bad) == (None, None)
    assert unpublished is not None
    assert not isinstance(unpublished, ProviderError)
    assert unpublished.status is ReviewStatus.HIDDEN
    assert sorted(q["id"] for q in env.queries()) == sorted(["1", hidden, shown])


async def test_a_failed_key_is_an_error_in_its_slot(env: Env) -> None:
    env.fault(error_rate=1.0, error_status=503)
    found = await env.client.reviews_by_keys(
        [ReviewKey(expected_ids()[0]), ReviewKey("x")]
    )
    assert isinstance(found[0], ProviderUnavailable)
    assert found[1] is None


async def test_summaries_cost_one_call_per_listed_sku(env: Env) -> None:
    skus = [p.sku for p in ON_TRUSTOO[:4]]
    asked = [*skus, NOT_ON_TRUSTOO, skus[0]]
    summaries = await env.client.summaries_by_sku(asked)
    assert len(env.calls()) == 4
    assert [getattr(s, "sku", None) for s in summaries] == asked
    for product, summary in zip(ON_TRUSTOO[:4], summaries, strict=False):
        assert not isinstance(summary, ProviderError)
        ratings = [
            r.rating
            for r in store().reviews.values()
            if r.product_id == product.trustoo_product_id and r.is_published
        ]
        assert summary.count == len(ratings)
        assert summary.distribution == StarDistribution.of(
            {n: ratings.count(n) for n in range(1, 6)}
        )
        assert summary.average == pytest.approx(sum(ratings) / len(ratings), abs=0.05)
    zero = summaries[4]
    assert not isinstance(zero, ProviderError)
    assert (zero.count, zero.average) == (0, None)


async def test_shop_and_overall_summaries(env: Env) -> None:
    shop = await env.client.shop_summary()
    overall = await env.client.overall_summary()
    published = [r for r in store().reviews.values() if r.is_published]
    assert shop.sku is None
    assert shop.count == sum(1 for r in published if r.product_id == 0)
    assert overall.count == len(published)
    assert overall.distribution.total == overall.count
    assert [
        q.get("is_store_rating") or q.get("is_all_rating") for q in env.queries()
    ] == [
        "1",
        "1",
    ]


async def test_a_failed_summary_is_an_error_in_its_slot(env: Env) -> None:
    env.fault(malformed_rate=1.0)
    found = await env.client.summaries_by_sku([ON_TRUSTOO[0].sku, NOT_ON_TRUSTOO])
    assert isinstance(found[0], ProviderPayloadError)
    assert not isinstance(found[1], ProviderError)


# --- writes ----------------------------------------------------------------------


async def test_create_review_returns_the_created_review(env: Env) -> None:
    product = ON_TRUSTOO[5]
    draft = ReviewDraft(
        rating=4,
        author="Gateway Tester",
        sku=product.sku,
        title="Solid",
        body="Works well.",
        created_at=datetime(2026, 11, 20, 10, 30, tzinfo=UTC),
        author_email="tester@mail.example",
        author_country="DE",
        verified=True,
        media=(Media(MediaType.IMAGE, "https://img.example/a.jpg"),),
        reply=Reply("Thanks!"),
    )
    created = await env.client.create_review(draft)
    assert created is not None
    assert created.product is not None
    assert created.product.sku == product.sku
    assert (created.rating, created.title, created.body) == (4, "Solid", "Works well.")
    assert created.created_at == datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
    assert created.verified is True
    assert created.reply is not None
    assert created.reply.created_at == env.clock.now()
    assert created.media == (
        Media(
            MediaType.IMAGE, "https://img.example/a.jpg", "https://img.example/a.jpg"
        ),
    )
    (fetched,) = await env.client.reviews_by_keys([created.key])
    assert fetched == created
    shop = await env.client.create_review(ReviewDraft(rating=5, author="Shop fan"))
    assert shop is not None
    assert shop.product is None
    assert shop.created_at == env.clock.now()


async def test_create_review_with_the_seeds_empty_answer_returns_none(
    clock: FakeClock,
) -> None:
    async with connect(clock, SimulatorSettings(create_review_response="empty")) as env:
        assert await env.client.create_review(ReviewDraft(rating=3, author="A")) is None
        page = await env.client.list_reviews(ReviewQuery(shop=True), limit=1)
        assert page.items[0].author.display_name == "A"


@pytest.mark.parametrize(
    ("draft", "mentions"),
    [
        (ReviewDraft(rating=0, author="A"), "rating"),
        (ReviewDraft(rating=6, author="A"), "rating"),
        (ReviewDraft(rating=True, author="A"), "rating"),
        (ReviewDraft(rating=5, author="A" * 121), "author"),
        (ReviewDraft(rating=5, author="A", title="t" * 301), "title"),
        (ReviewDraft(rating=5, author="A", body="b" * 10_001), "body"),
        (ReviewDraft(rating=5, author="A", variant="v" * 121), "variant"),
        (ReviewDraft(rating=5, author="A", source="Yelp"), "source"),
        (ReviewDraft(rating=5, author="A", sku=NOT_ON_TRUSTOO), "sku"),
        (
            ReviewDraft(rating=5, author="A", created_at=datetime(2025, 1, 1)),  # noqa: DTZ001
            "created_at",
        ),
        (
            ReviewDraft(
                rating=5,
                author="A",
                media=tuple(
                    Media(MediaType.IMAGE, f"https://i.example/{i}.jpg")
                    for i in range(11)
                ),
            ),
            "images",
        ),
        (
            ReviewDraft(
                rating=5,
                author="A",
                media=(
                    Media(MediaType.VIDEO, "https://i.example/1.mp4"),
                    Media(MediaType.VIDEO, "https://i.example/2.mp4"),
                ),
            ),
            "video",
        ),
        (
            ReviewDraft(
                rating=5, author="A", media=(Media(MediaType.IMAGE, "ftp://x/1"),)
            ),
            "URL",
        ),
        (ReviewDraft(rating=5, author="A", reply=Reply("")), "reply"),
    ],
)
async def test_create_review_checks_every_constraint_before_any_call(
    env: Env, draft: ReviewDraft, mentions: str
) -> None:
    with pytest.raises(ProviderBadRequest) as caught:
        await env.client.create_review(draft)
    assert caught.value.vendor_code == "INVALID_ARGUMENT"
    assert mentions in (caught.value.vendor_message or "")
    assert env.calls() == []


async def test_the_platforms_own_refusal_carries_its_text(env: Env) -> None:
    draft = ReviewDraft(rating=5, author="A", author_email="not-an-email")
    with pytest.raises(ProviderBadRequest) as caught:
        await env.client.create_review(draft)
    assert caught.value.vendor_code == "INVALID_ARGUMENT"
    assert "author_email" in (caught.value.vendor_message or "")
    assert len(env.calls()) == 1


async def test_delete_review(env: Env) -> None:
    victim = expected_ids()[0]
    await env.client.delete_review(victim)
    assert await env.client.reviews_by_keys([ReviewKey(victim)]) == [None]
    with pytest.raises(ProviderNotFound):
        await env.client.delete_review(victim)
    with pytest.raises(ProviderNotFound):
        await env.client.delete_review("not-an-id")
    assert [e.path for e in env.calls()].count("/api/v1/openapi/delete_review") == 2


# --- webhooks, exclusions, unsubscribe -------------------------------------------


async def test_webhook_lifecycle(env: Env) -> None:
    (seeded,) = await env.client.webhooks()
    assert seeded.id == str(next(iter(store().webhooks)))
    hook = await env.client.create_webhook("review/deleted", "https://hooks.example/a")
    assert (hook.topic, hook.url, hook.created_at) == (
        "review/deleted",
        "https://hooks.example/a",
        env.clock.now().replace(microsecond=0),
    )
    with pytest.raises(ProviderRejected) as caught:
        await env.client.create_webhook("review/deleted", "https://hooks.example/a")
    assert caught.value.vendor_code == "ALREADY_EXISTS"
    env.clock.advance(60)
    changed = await env.client.update_webhook(hook.id, url="https://hooks.example/b")
    assert (changed.id, changed.topic, changed.url) == (
        hook.id,
        hook.topic,
        "https://hooks.example/b",
    )
    assert changed.updated_at == hook.created_at + timedelta(seconds=60)  # type: ignore[operator]
    assert [h.id for h in await env.client.webhooks()] == [seeded.id, hook.id]
    await env.client.delete_webhook(hook.id)
    assert await env.client.webhooks() == [seeded]
    with pytest.raises(ProviderNotFound):
        await env.client.delete_webhook(hook.id)


async def test_webhook_topic_is_checked_before_the_call(env: Env) -> None:
    with pytest.raises(ProviderBadRequest):
        await env.client.create_webhook("order/created", "https://hooks.example/a")
    with pytest.raises(ProviderBadRequest):
        await env.client.update_webhook("1", topic="nope")
    assert env.calls() == []
    with pytest.raises(ProviderBadRequest) as caught:
        await env.client.create_webhook("review/created", "not a url")
    assert "url" in (caught.value.vendor_message or "")


async def test_customer_exclusions_lifecycle_and_paging(env: Env) -> None:
    added = await env.client.create_customer_exclusion("new.person@mail.example")
    assert (added.email, added.first_name) == ("new.person@mail.example", None)
    with pytest.raises(ProviderRejected):
        await env.client.create_customer_exclusion("new.person@mail.example")
    seen = []
    position: str | None = None
    while True:
        page = await env.client.customer_exclusions(position, limit=2)
        assert page.total == len(store().exclusions) + 1
        seen += [e.customer_id for e in page.items]
        position = page.next
        if position is None:
            break
    assert seen[0] == added.customer_id  # newest first
    assert sorted(seen) == sorted([added.customer_id, *map(str, store().exclusions)])
    first_seeded = next(iter(store().exclusions.values()))
    await env.client.delete_customer_exclusion(
        customer_id=str(first_seeded.customer_id)
    )
    await env.client.delete_customer_exclusion(email="new.person@mail.example")
    left = await env.client.customer_exclusions(limit=100, oldest_first=True)
    assert len(left.items) == len(store().exclusions) - 1
    with pytest.raises(ProviderNotFound):
        await env.client.delete_customer_exclusion(email="new.person@mail.example")
    with pytest.raises(ValueError, match="exactly one"):
        await env.client.delete_customer_exclusion()


async def test_email_unsubscribe(env: Env) -> None:
    await env.client.email_unsubscribe("a@mail.example", EmailType.REVIEW_REQUEST)
    await env.client.email_unsubscribe("a@mail.example")
    with pytest.raises(ValueError, match="newsletter"):
        await env.client.email_unsubscribe("a@mail.example", "newsletter")  # type: ignore[arg-type]
    assert len(env.calls()) == 2


# --- orders, events, uploads ------------------------------------------------------


async def test_orders_filter_and_page_like_the_platform(env: Env) -> None:
    seen: list[str] = []
    position: str | None = None
    while True:
        page = await env.client.review_request_orders(
            state=OrderState.SENT, position=position, limit=10
        )
        seen += [o.id for o in page.items]
        assert all(o.status == "sent" for o in page.items)
        position = page.next
        if position is None:
            break
    sent = sorted(
        (o for o in store().orders if o.status == 3),
        key=lambda o: (o.created_at, o.id),
        reverse=True,
    )
    assert seen == [o.order_id for o in sent]
    assert env.queries()[0]["type"] == "3"
    low = sent[len(sent) // 2].created_at
    recent = await env.client.review_request_orders(
        created_after=low, oldest_first=True, limit=100
    )
    want = sorted(
        (o for o in store().orders if o.created_at >= low),
        key=lambda o: (o.created_at, o.id),
    )
    assert [o.id for o in recent.items] == [o.order_id for o in want][:100]
    assert recent.total == len(want)
    assert env.queries()[-1]["start_time"] == low.strftime("%Y-%m-%d %H:%M:%S")


async def test_customer_events_filter(env: Env) -> None:
    page = await env.client.customer_events(
        event_type="VIEW_REVIEW", os_type="IOS", limit=100
    )
    want = [
        e for e in store().events if (e.event_type, e.os_type) == ("VIEW_REVIEW", "IOS")
    ]
    assert page.total == len(want)
    assert sorted(int(e.id) for e in page.items) == sorted(e.id for e in want)
    with pytest.raises(ProviderBadRequest):
        await env.client.customer_events(event_source="SPACE")


async def test_upload_credentials(env: Env) -> None:
    image = await env.client.image_upload_credentials()
    assert image.provider is Provider.TRUSTOO
    assert image.fields["host"].startswith("https://")
    assert image.expires_at is not None
    assert image.expires_at > env.clock.now()
    video = await env.client.video_upload_url("clip.mp4")
    assert video.fields["upload_url"].startswith(video.fields["video_url"])
    assert env.queries()[-1] == {"file_name": "clip.mp4"}


# --- auth and failures -----------------------------------------------------------


async def test_each_request_is_signed_afresh_as_the_clock_moves(env: Env) -> None:
    await env.client.shop_summary()
    env.clock.advance(3600)  # far past the 15-minute window of the first timestamp
    await env.client.shop_summary()
    assert [e.status for e in env.calls()] == [200, 200]


async def test_a_skewed_clock_or_a_wrong_key_is_an_auth_error(clock: FakeClock) -> None:
    async with connect(clock, private_token=Secret("wrong-" + PRIVATE)) as env:
        with pytest.raises(ProviderAuthError) as caught:
            await env.client.list_reviews(ReviewQuery())
        assert caught.value.vendor_code == "UNAUTHENTICATED"
        assert_no_secret(caught.value)
        assert "wrong-" not in str(caught.value)
        assert PRIVATE not in repr(env.client)
    skewed = lambda: clock.now() - timedelta(minutes=16)  # noqa: E731
    async with connect(clock, client_now=skewed) as env:
        with pytest.raises(ProviderAuthError):
            await env.client.shop_summary()


async def test_auth_failures_at_http_401_are_auth_errors(clock: FakeClock) -> None:
    simulator = SimulatorSettings(auth_error_http_status=401, error_http_status=404)
    async with connect(clock, simulator, public_token="someone-else") as env:
        with pytest.raises(ProviderAuthError) as caught:
            await env.client.webhooks()
        assert caught.value.http_status == 401
        assert_no_secret(caught.value)
    async with connect(clock, simulator) as env:
        assert await env.client.reviews_by_keys([ReviewKey("1")]) == [None]


async def test_server_errors_are_unavailable(env: Env) -> None:
    env.fault(error_rate=1.0, error_status=503)
    with pytest.raises(ProviderUnavailable) as caught:
        await env.client.list_reviews(ReviewQuery())
    assert caught.value.http_status == 503
    assert_no_secret(caught.value)
    with pytest.raises(ProviderUnavailable):  # two lanes, both failing: one error
        await env.client.list_reviews(ReviewQuery(statuses=BOTH))


async def test_rate_limit_is_rate_limited_with_retry_after(env: Env) -> None:
    env.fault(rate_limit_per_minute=1)
    await env.client.webhooks()
    with pytest.raises(ProviderRateLimited) as caught:
        await env.client.webhooks()
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0
    assert_no_secret(caught.value)


async def test_a_hung_call_times_out(clock: FakeClock) -> None:
    async with connect(clock, timeout_s=0.2) as env:
        env.fault(timeout_rate=1.0, hang_ms=5_000)
        with pytest.raises(ProviderTimeout) as caught:
            await env.client.shop_summary()
        assert_no_secret(caught.value)


async def test_a_malformed_body_is_a_payload_error(env: Env) -> None:
    env.fault(malformed_rate=1.0)
    with pytest.raises(ProviderPayloadError) as caught:
        await env.client.list_reviews(ReviewQuery())
    assert_no_secret(caught.value)


async def test_a_refused_connection_is_unavailable(clock: FakeClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = TrustooSettings(
        base_url=f"http://127.0.0.1:{port}/trustoo/",
        public_token="p",
        private_token=Secret(PRIVATE),
    )
    async with open_session(settings) as session:
        client = TrustooClient(settings, session, now=clock.now)
        with pytest.raises(ProviderUnavailable) as caught:
            await client.webhooks()
    assert_no_secret(caught.value)


async def test_a_webhook_review_maps_as_the_list_does(env: Env) -> None:
    """A webhook's ``list`` holds review objects: the same mapping, SKU included."""
    page = await env.client.list_reviews(ReviewQuery(), None, 5)
    listed = next(r for r in page.items if r.product is not None)
    mapped = env.client.webhook_review(dict(listed.raw))
    assert mapped == listed
    assert mapped.product is not None
    assert mapped.product.sku is not None
    with pytest.raises(ProviderPayloadError):
        env.client.webhook_review({"id": 1})
