"""MayarClient: mapping on the docs' sample payloads, then real HTTP to the simulator.

Expected values come from an independent copy of the simulator's seeded store
(``build_store`` with the sandbox's catalog and seed), never from pasted output.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from gateway.config import CatalogEntry, MayarSettings, Secret, Settings
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
from gateway.providers.mayar import MayarClient, to_rating_summary, to_review
from gateway.providers.mayar.envelope import unwrap
from gateway.providers.mayar.listing import MAX_MERGED_STREAMS
from gateway.providers.mayar.mapping import ANONYMOUS_AUTHOR
from gateway.records import (
    MediaType,
    Provider,
    ReviewKey,
    ReviewQuery,
    ReviewStatus,
    StarDistribution,
)
from gateway.sandbox import sandbox_settings
from gateway.timestamps import parse_epoch_ms
from sandbox.control import FaultSettings
from sandbox.mayar import MayarSettings as SimulatorSettings
from sandbox.mayar import MayarStore, build_store
from sandbox.mayar.store import Review as StoredReview
from sandbox.mayar.store import newest_first
from sandbox.server import RunningSandbox, run_simulators
from tests.conftest import FakeClock

SAMPLES = Path(__file__).parent / "samples" / "mayar"
SEED = 1  # run_simulators' default seed
API_KEY = "sandbox-mayar-read-write-key"
OPEN = "buyer.sandbox.example"
UNLIMITED = SimulatorSettings(rate_limit_per_minute=None)
ALL_STATES = frozenset(ReviewStatus)
TO_WIRE = {
    ReviewStatus.PUBLISHED: "ACTIVE",
    ReviewStatus.HIDDEN: "INACTIVE",
    ReviewStatus.ARCHIVED: "ARCHIVED",
}


def sample(name: str) -> Any:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


# -- mapping on sample payloads ---------------------------------------------------


def test_list_review_maps_every_field() -> None:
    raw = sample("list_page")["data"][0]
    catalog = {
        raw["paymentLinkId"]: CatalogEntry(
            sku="PHOTO-1", mayar_payment_link_id=raw["paymentLinkId"], name="Kelas"
        )
    }

    review = to_review(raw, catalog)

    assert review.provider is Provider.MAYAR
    assert review.provider_review_id == raw["id"]
    assert (review.rating, review.rating_exact) == (4, 4.0)
    assert review.body == "Kualitas oke, sesuai deskripsi."
    assert review.created_at == parse_epoch_ms(1761905471772)
    assert review.created_at.utcoffset() == timedelta(0)
    assert review.updated_at == parse_epoch_ms(1762078271772)
    assert review.status is ReviewStatus.PUBLISHED
    # The public form; the full name is the customer's (PII, server keys only).
    assert review.author.display_name == "Siti W."
    assert review.author.country is None
    assert (review.title, review.language, review.reply) == (None, None, None)
    assert review.verified is True
    assert review.customer is not None
    assert review.customer.name == "Siti Wijaya"
    assert review.customer.provider_customer_id == raw["customerId"]
    assert review.product is not None
    assert review.product.sku == "PHOTO-1"
    assert review.product.provider_product_id == raw["paymentLinkId"]
    assert review.product.name == "Kelas"
    assert [(m.type, m.url) for m in review.media] == [
        (MediaType.IMAGE, raw["multipleImage"][0]["url"]),
        (MediaType.VIDEO, "https://media.mayar.id/files/unboxing.mp4"),
    ]  # the second content entry has no URL, so it is no Media
    # The locator is in the public id: the payment link, never the customer.
    assert review.locator == raw["paymentLinkId"]
    assert review.raw == raw


def test_review_with_optional_fields_missing() -> None:
    raw = sample("list_page")["data"][1]
    review = to_review(raw)
    assert review.body is None
    assert review.media == ()
    assert review.status is ReviewStatus.HIDDEN
    assert review.product is not None
    assert review.product.sku is None  # not in the (empty) catalog
    assert review.product.name == "E-book Resep"


def test_create_answer_maps_without_customer_or_media() -> None:
    raw = sample("create_success")["data"]
    review = to_review(raw)
    assert review.author.display_name == ANONYMOUS_AUTHOR
    assert review.status is ReviewStatus.PUBLISHED
    assert review.media == ()
    assert review.customer is not None
    assert review.customer.name is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", None),
        ("rating", None),
        ("rating", "5"),
        ("rating", 6),
        ("createdAt", None),
        ("createdAt", "2026-01-01"),
        ("paymentLinkId", None),
        ("customerId", 12),
        ("status", "DELETED"),
        ("multipleImage", "not a list"),
    ],
)
def test_review_drift_is_a_payload_error(field: str, value: object) -> None:
    raw = dict(sample("list_page")["data"][0])
    if value is None:
        del raw[field]
    else:
        raw[field] = value
    with pytest.raises(ProviderPayloadError):
        to_review(raw)


def test_stats_map_to_a_summary() -> None:
    summary = to_rating_summary(sample("product_stats")["data"], "SKU-1")
    assert summary.sku == "SKU-1"
    assert (summary.count, summary.average) == (42, 4.6)
    assert summary.distribution == StarDistribution(1, 1, 3, 5, 32)


def test_empty_stats_are_a_zero_summary() -> None:
    summary = to_rating_summary(sample("stats_empty")["data"], None)
    assert (summary.count, summary.average, summary.sku) == (0, None, None)
    assert summary.distribution == StarDistribution()


def test_stats_drift_is_a_payload_error() -> None:
    data = dict(sample("product_stats")["data"])
    del data["stats"]
    with pytest.raises(ProviderPayloadError):
        to_rating_summary(data, None)


def test_validation_failure_carries_field_reasons() -> None:
    with pytest.raises(ProviderBadRequest) as caught:
        unwrap(sample("create_failed"))
    assert caught.value.vendor_code == "VALIDATION_FAILED"
    assert caught.value.vendor_message == (
        "customerEmail: must be a valid email; rating: must be between 1 and 5"
    )


@pytest.mark.parametrize(
    ("name", "error", "code"),
    [
        ("create_not_purchased", ProviderRejected, "NOT_A_BUYER"),
        ("create_already_reviewed", ProviderRejected, "ALREADY_REVIEWED"),
        ("create_product_not_found", ProviderNotFound, "PRODUCT_NOT_FOUND"),
        ("update_review_not_found", ProviderNotFound, "REVIEW_NOT_FOUND"),
        ("update_transaction_not_found", ProviderRejected, "NO_TRANSACTION"),
        ("create_save_failed", ProviderUnavailable, "SAVE_FAILED"),
    ],
)
def test_refusals_in_the_envelope(
    name: str, error: type[ProviderError], code: str
) -> None:
    body = sample(name)
    with pytest.raises(error) as caught:
        unwrap(body)
    assert type(caught.value) is error
    assert caught.value.vendor_code == code
    text = body.get("messages", body.get("message"))
    if error is not ProviderUnavailable:
        assert caught.value.vendor_message == text


def test_envelope_status_code_is_checked_even_on_http_200() -> None:
    with pytest.raises(ProviderUnavailable):
        unwrap({"statusCode": 503, "messages": "maintenance"})
    with pytest.raises(ProviderPayloadError):
        unwrap({"messages": "success", "data": []})
    assert unwrap(sample("bulk_success"))["statusCode"] == 200


# -- the simulator harness ----------------------------------------------------------


@dataclass
class Harness:
    running: RunningSandbox
    settings: Settings
    client: MayarClient
    store: MayarStore
    """An independent copy of the simulator's seeded data (same catalog and seed)."""

    @property
    def calls(self) -> list[Any]:
        return self.running.log.entries("mayar")

    def faults(self, **faults: Any) -> None:
        self.running.sandbox.controls["mayar"].apply(FaultSettings(**faults))

    def sku(self, link_id: str) -> str:
        return next(
            e.sku for e in self.settings.catalog if e.mayar_payment_link_id == link_id
        )

    def listed_skus(self) -> list[str]:
        return [e.sku for e in self.settings.catalog if e.mayar_payment_link_id]

    def expected(
        self, predicate: Callable[[StoredReview], bool] = lambda r: True
    ) -> list[str]:
        reviews = [r for r in self.store.reviews.values() if predicate(r)]
        return [r.id for r in sorted(reviews, key=newest_first)]


@asynccontextmanager
async def harness(
    clock: FakeClock,
    simulator: SimulatorSettings = UNLIMITED,
    **client_settings: Any,
) -> AsyncIterator[Harness]:
    async with run_simulators(
        providers={"mayar"}, clock=clock.now, settings={"mayar": simulator}
    ) as running:
        settings = sandbox_settings(running)
        assert settings.mayar is not None
        mayar = dataclasses.replace(settings.mayar, **client_settings)
        async with open_session(mayar) as session:
            client = MayarClient(
                mayar,
                session,
                catalog=settings.catalog,
                monotonic=clock.monotonic,
                now=clock.now,
            )
            store = build_store(running.catalog, SEED, clock.now)
            yield Harness(running, settings, client, store)


@pytest.fixture
async def mayar(clock: FakeClock) -> AsyncIterator[Harness]:
    async with harness(clock) as h:
        yield h


async def walk(h: Harness, query: ReviewQuery, limit: int) -> tuple[list[str], int]:
    """Every review id of a list walk and the number of pages it took."""
    ids: list[str] = []
    position: str | None = None
    pages = 0
    while True:
        page = await h.client.list_reviews(query, position, limit)
        pages += 1
        assert len(page.items) <= limit
        ids += [r.provider_review_id for r in page.items]
        if page.next is None:
            return ids, pages
        position = page.next


def link_of(h: Harness, sku: str) -> str:
    return next(
        e.mayar_payment_link_id or "" for e in h.settings.catalog if e.sku == sku
    )


# -- list_reviews ---------------------------------------------------------------------


async def test_one_sku_published_walks_the_product_endpoint(mayar: Harness) -> None:
    sku = mayar.listed_skus()[0]
    link = link_of(mayar, sku)
    expected = mayar.expected(
        lambda r: r.payment_link_id == link and r.status == "ACTIVE"
    )

    ids, pages = await walk(mayar, ReviewQuery(skus=(sku,)), limit=7)

    assert ids == expected
    assert len(set(ids)) == len(ids)
    assert len(mayar.calls) == pages == -(-len(expected) // 7)
    assert {c.path for c in mayar.calls} == {f"/hl/v2/products/{link}/reviews"}


async def test_first_page_maps_against_the_store(mayar: Harness) -> None:
    sku = mayar.listed_skus()[1]
    link = link_of(mayar, sku)
    page = await mayar.client.list_reviews(ReviewQuery(skus=(sku,)), limit=5)
    for review in page.items:
        stored = mayar.store.reviews[review.provider_review_id]
        assert review.rating == stored.rating
        assert review.body == stored.message
        assert review.created_at == parse_epoch_ms(stored.created_at)
        assert review.updated_at == parse_epoch_ms(stored.updated_at)
        first, *_, last = mayar.store.customers[stored.customer_id].name.split()
        assert review.author.display_name == f"{first} {last[0]}."
        assert review.product is not None
        assert review.product.sku == sku
        assert review.locator == link
        assert len(review.media) == len(stored.images)  # sandbox videos have no URL


async def test_all_reviews_in_every_state_page_to_the_end(mayar: Harness) -> None:
    ids, pages = await walk(mayar, ReviewQuery(statuses=ALL_STATES), limit=100)

    assert ids == mayar.expected()
    assert len(mayar.calls) == pages == -(-len(ids) // 100)
    assert all(c.path == "/hl/v2/reviews" for c in mayar.calls)
    assert all("status" not in c.query for c in mayar.calls)


async def test_several_skus_merge_one_stream_per_payment_link(
    mayar: Harness,
) -> None:
    skus = tuple(mayar.listed_skus()[:3])
    links = {link_of(mayar, s) for s in skus}
    query = ReviewQuery(
        skus=(*skus, "NOT-ON-MAYAR"),
        statuses=frozenset({ReviewStatus.PUBLISHED, ReviewStatus.HIDDEN}),
        ratings=frozenset({4, 5}),
    )
    expected = mayar.expected(
        lambda r: (
            r.payment_link_id in links
            and r.status in ("ACTIVE", "INACTIVE")
            and r.rating in (4, 5)
        )
    )

    ids, _ = await walk(mayar, query, limit=10)

    assert ids == expected
    queried = {c.query for c in mayar.calls}
    assert all(c.path == "/hl/v2/reviews" for c in mayar.calls)
    assert {q.split("paymentLinkId=")[1].split("&")[0] for q in queried} == links
    assert not any("status=" in q or "rating=" in q for q in queried)


async def test_one_status_and_rating_are_pushed_down(mayar: Harness) -> None:
    skus = tuple(mayar.listed_skus()[:2])
    links = {link_of(mayar, s) for s in skus}
    query = ReviewQuery(
        skus=skus,
        statuses=frozenset({ReviewStatus.HIDDEN}),
        ratings=frozenset({1}),
    )
    ids, pages = await walk(mayar, query, limit=20)
    assert ids == mayar.expected(
        lambda r: (
            r.payment_link_id in links and r.status == "INACTIVE" and r.rating == 1
        )
    )
    assert all("status=INACTIVE" in c.query for c in mayar.calls)
    assert all("rating=1" in c.query for c in mayar.calls)
    assert len(mayar.calls) == 2 * pages


async def test_many_skus_scan_all_reviews_filtered_in_the_client(
    mayar: Harness,
) -> None:
    skus = tuple(mayar.listed_skus()[: MAX_MERGED_STREAMS + 2])
    links = {link_of(mayar, s) for s in skus}
    ids, _ = await walk(mayar, ReviewQuery(skus=skus), limit=25)

    assert ids == mayar.expected(
        lambda r: r.payment_link_id in links and r.status == "ACTIVE"
    )
    assert all(c.path == "/hl/v2/reviews" for c in mayar.calls)
    assert all("paymentLinkId" not in c.query for c in mayar.calls)
    assert all("limit=100" in c.query for c in mayar.calls)


async def test_date_window_filters_and_stops_early(mayar: Harness) -> None:
    newest = max(r.created_at for r in mayar.store.reviews.values())
    before = parse_epoch_ms(newest - 20 * 86_400_000)
    after = parse_epoch_ms(newest - 60 * 86_400_000)
    query = ReviewQuery(statuses=ALL_STATES, created_after=after, created_before=before)

    ids, _ = await walk(mayar, query, limit=50)

    assert ids == mayar.expected(
        lambda r: after < parse_epoch_ms(r.created_at) < before
    )
    # The walk stops at the first review older than the window: no full scan.
    assert len(mayar.calls) < len(mayar.store.reviews) // 100


@pytest.mark.parametrize(
    "query",
    [
        ReviewQuery(shop=True),
        ReviewQuery(language="id"),
        ReviewQuery(skus=("NOT-ON-MAYAR",)),
        ReviewQuery(statuses=frozenset({ReviewStatus.PENDING})),
        ReviewQuery(ratings=frozenset()),
    ],
)
async def test_queries_nothing_can_match_cost_no_call(
    mayar: Harness, query: ReviewQuery
) -> None:
    page = await mayar.client.list_reviews(query)
    assert (page.items, page.next) == ((), None)
    assert mayar.calls == []


async def test_bad_limit_or_position_is_a_value_error(mayar: Harness) -> None:
    for limit in (0, 101):
        with pytest.raises(ValueError, match="limit"):
            await mayar.client.list_reviews(ReviewQuery(), limit=limit)
    with pytest.raises(ValueError, match="position"):
        await mayar.client.list_reviews(ReviewQuery(), "not-a-position")
    page = await mayar.client.list_reviews(ReviewQuery(), limit=2)
    assert page.next is not None
    with pytest.raises(ValueError, match="another query"):
        await mayar.client.list_reviews(ReviewQuery(statuses=ALL_STATES), page.next, 2)


# -- reviews_by_keys ------------------------------------------------------------------


def stored_review(h: Harness, status: str, skip: int = 0) -> StoredReview:
    return [r for r in h.store.reviews.values() if r.status == status][skip]


async def test_reviews_by_keys_walk_each_payment_links_list_once(
    mayar: Harness,
) -> None:
    active = stored_review(mayar, "ACTIVE")
    hidden = stored_review(mayar, "INACTIVE")
    found = (
        await mayar.client.list_reviews(
            ReviewQuery(skus=(mayar.sku(hidden.payment_link_id),), statuses=ALL_STATES),
            limit=100,
        )
    ).items
    hidden_key = next(r.key for r in found if r.provider_review_id == hidden.id)
    mayar.running.log.clear()
    link = active.payment_link_id
    keys = [
        ReviewKey(active.id, link),
        hidden_key,
        ReviewKey(active.id, link),
        ReviewKey("not-this-review", link),
        # An id issued before locators dropped the customer still finds its review.
        ReviewKey(active.id, f"{link}/{active.customer_id}"),
        ReviewKey(active.id, "a/b/c"),
    ]

    results = await mayar.client.reviews_by_keys(keys)

    assert len(results) == len(keys)
    first, second, third, wrong, older, malformed = results
    assert first is not None
    assert not isinstance(first, ProviderError)
    assert first.provider_review_id == active.id
    assert (first.rating, first.body) == (active.rating, active.message)
    assert first.status is ReviewStatus.PUBLISHED
    assert first.key == keys[0]
    # The list carries the customer's name, in its public form.
    name = mayar.store.customers[active.customer_id].name
    assert first.author.display_name == f"{name.split()[0]} {name.split()[-1][0]}."
    assert third == first
    assert older == first
    assert second is not None
    assert not isinstance(second, ProviderError)
    assert second.status is ReviewStatus.HIDDEN
    assert (wrong, malformed) == (None, None)
    # One walk per payment link (each list is under 100 long: one page each);
    # the malformed locator costs none.
    links = {link, hidden.payment_link_id}
    assert len(mayar.calls) == len(links)
    assert {c.path for c in mayar.calls} == {"/hl/v2/reviews"}
    assert all("paymentLinkId=" in c.query for c in mayar.calls)


async def test_keys_it_never_issued_cost_no_call(mayar: Harness) -> None:
    known = mayar.expected()[3]
    stored = mayar.store.reviews[known]
    keys = [
        ReviewKey(known),  # no locator: only the merchant's whole list has it
        ReviewKey(known, "not-a-payment-link-of-the-catalog"),
        ReviewKey(known, stored.payment_link_id),
    ]

    results = await mayar.client.reviews_by_keys(keys)

    assert results[:2] == [None, None]
    found = results[2]
    assert found is not None
    assert not isinstance(found, ProviderError)
    assert found.provider_review_id == known
    # Only the catalog link was walked: one page.
    assert len(mayar.calls) == 1
    assert f"paymentLinkId={stored.payment_link_id}" in mayar.calls[0].query


async def test_a_failing_key_gets_the_error_in_its_slot(mayar: Harness) -> None:
    active = stored_review(mayar, "ACTIVE")
    mayar.faults(error_rate=1.0)
    other = next(
        r
        for r in mayar.store.reviews.values()
        if r.payment_link_id != active.payment_link_id
    )
    results = await mayar.client.reviews_by_keys(
        [
            ReviewKey(active.id, active.payment_link_id),
            ReviewKey(other.id, other.payment_link_id),
        ]
    )
    assert all(isinstance(r, ProviderUnavailable) for r in results)


# -- summaries -------------------------------------------------------------------------


def expected_summary(
    reviews: Iterable[StoredReview],
) -> tuple[int, float | None, StarDistribution]:
    ratings = [r.rating for r in reviews if r.status == "ACTIVE"]
    if not ratings:
        return 0, None, StarDistribution()
    average = (Decimal(sum(ratings)) / len(ratings)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    counts = {s: ratings.count(s) for s in range(1, 6)}
    return len(ratings), float(average), StarDistribution.of(counts)


async def test_summaries_cost_one_call_per_listed_sku(mayar: Harness) -> None:
    first, second = mayar.listed_skus()[:2]
    unlisted = next(
        e.sku for e in mayar.settings.catalog if e.mayar_payment_link_id is None
    )
    skus = [first, second, "UNKNOWN", first, unlisted]

    summaries = await mayar.client.summaries_by_sku(skus)

    assert [s.sku for s in summaries if not isinstance(s, ProviderError)] == skus
    for sku, summary in zip(skus, summaries, strict=True):
        assert not isinstance(summary, ProviderError)
        link = link_of(mayar, sku) if sku in (first, second) else None
        reviews = [r for r in mayar.store.reviews.values() if r.payment_link_id == link]
        assert (summary.count, summary.average, summary.distribution) == (
            expected_summary(reviews)
        )
    assert sorted(c.path for c in mayar.calls) == sorted(
        f"/hl/v2/products/{link_of(mayar, s)}/reviews/stats" for s in (first, second)
    )


async def test_a_failing_summary_is_an_error_in_its_slot(mayar: Harness) -> None:
    mayar.faults(error_rate=1.0, error_status=502)
    summaries = await mayar.client.summaries_by_sku([mayar.listed_skus()[0], "X"])
    assert isinstance(summaries[0], ProviderUnavailable)
    assert summaries[1] == to_rating_summary({}, "X")


async def test_merchant_summary_is_shop_wide(mayar: Harness) -> None:
    summary = await mayar.client.merchant_summary()
    assert summary.sku is None
    assert (summary.count, summary.average, summary.distribution) == (
        expected_summary(mayar.store.reviews.values())
    )
    assert [c.path for c in mayar.calls] == ["/hl/v2/merchants/reviews/stats"]


# -- further reads ---------------------------------------------------------------------


async def test_customer_review(mayar: Harness) -> None:
    archived = stored_review(mayar, "ARCHIVED")
    sku = mayar.sku(archived.payment_link_id)
    review = await mayar.client.customer_review(sku, archived.customer_id)
    assert review is not None
    assert review.provider_review_id == archived.id
    assert review.status is ReviewStatus.ARCHIVED
    assert await mayar.client.customer_review(sku, "someone-else") is None
    assert await mayar.client.customer_review("NOT-ON-MAYAR", "x") is None
    assert len(mayar.calls) == 2


async def test_product_reviews_with_message_first(mayar: Harness) -> None:
    sku = mayar.listed_skus()[0]
    link = link_of(mayar, sku)
    seen: list[str] = []
    position: str | None = None
    while True:
        page = await mayar.client.product_reviews(
            sku, position, 9, prioritize_message=True
        )
        seen += [r.provider_review_id for r in page.items]
        if page.next is None:
            break
        position = page.next
    active = [
        r
        for r in mayar.store.reviews.values()
        if r.payment_link_id == link and r.status == "ACTIVE"
    ]
    active.sort(key=lambda r: (0 if r.message else 1, -r.created_at, r.id))
    assert seen == [r.id for r in active]
    assert all("prioritizeMessage=true" in c.query for c in mayar.calls)


async def test_all_reviews_by_status_pages_to_the_end(mayar: Harness) -> None:
    seen: list[str] = []
    position: str | None = None
    while True:
        page = await mayar.client.all_reviews(
            position, 10, status=ReviewStatus.ARCHIVED
        )
        seen += [r.provider_review_id for r in page.items]
        if page.next is None:
            break
        position = page.next
    assert seen == mayar.expected(lambda r: r.status == "ARCHIVED")
    empty = await mayar.client.all_reviews(status=ReviewStatus.PENDING)
    assert empty.items == ()


# -- writes ----------------------------------------------------------------------------


async def test_create_review_returns_it_and_lists_it(
    mayar: Harness, clock: FakeClock
) -> None:
    sku = mayar.listed_skus()[0]
    email = f"ani.wijaya@{OPEN}"

    created = await mayar.client.create_review(
        sku, email, 5, body="Mantap!", media=[("file-1", MediaType.IMAGE)]
    )

    assert created.status is ReviewStatus.PUBLISHED
    assert (created.rating, created.body) == (5, "Mantap!")
    assert created.created_at == clock.now()
    assert created.customer is not None
    assert created.customer.email == email
    assert created.product is not None
    assert created.product.sku == sku
    newest = await mayar.client.list_reviews(ReviewQuery(skus=(sku,)), limit=1)
    assert newest.items[0].provider_review_id == created.provider_review_id
    assert newest.items[0].author.display_name == "Ani W."
    assert [m.type for m in newest.items[0].media] == [MediaType.IMAGE]
    fetched = await mayar.client.reviews_by_keys([created.key])
    assert fetched[0] is not None
    assert not isinstance(fetched[0], ProviderError)
    assert fetched[0].provider_review_id == created.provider_review_id


async def test_create_refusals_behind_http_400(mayar: Harness) -> None:
    sku = mayar.listed_skus()[0]
    await mayar.client.create_review(sku, f"budi@{OPEN}", 4)
    with pytest.raises(ProviderRejected) as again:
        await mayar.client.create_review(sku, f"budi@{OPEN}", 4)
    with pytest.raises(ProviderRejected) as stranger:
        await mayar.client.create_review(sku, "stranger@example.com", 4)
    # gateway.http keeps the refusal's text from the 400 body, so the two are told
    # apart exactly as in a 200 envelope.
    assert again.value.vendor_code == "ALREADY_REVIEWED"
    assert stranger.value.vendor_code == "NOT_A_BUYER"
    assert stranger.value.vendor_message == "Anda belum pernah membeli produk ini"
    for caught in (again, stranger):
        assert caught.value.http_status == 400


async def test_create_refusals_in_a_200_envelope_keep_their_text(
    clock: FakeClock,
) -> None:
    simulator = SimulatorSettings(
        rate_limit_per_minute=None,
        not_purchased_status=200,
        already_reviewed_status=200,
    )
    async with harness(clock, simulator) as h:
        sku = h.listed_skus()[0]
        await h.client.create_review(sku, f"citra@{OPEN}", 3)
        with pytest.raises(ProviderRejected) as again:
            await h.client.create_review(sku, f"citra@{OPEN}", 3)
        with pytest.raises(ProviderRejected) as stranger:
            await h.client.create_review(sku, "stranger@example.com", 3)
    assert again.value.vendor_code == "ALREADY_REVIEWED"
    assert again.value.vendor_message is not None
    assert again.value.vendor_message.startswith("Anda sudah memberikan ulasan")
    assert stranger.value.vendor_code == "NOT_A_BUYER"
    assert stranger.value.vendor_message == "Anda belum pernah membeli produk ini"


async def test_create_validation_and_missing_product(mayar: Harness) -> None:
    sku = mayar.listed_skus()[0]
    with pytest.raises(ProviderBadRequest) as invalid:
        await mayar.client.create_review(sku, "not-an-email", 9)
    assert invalid.value.vendor_code == "VALIDATION_FAILED"
    assert invalid.value.vendor_message == (
        "customerEmail: must be a valid email; rating: must be between 1 and 5"
    )
    with pytest.raises(ProviderNotFound) as unlisted:
        await mayar.client.create_review("NOT-ON-MAYAR", f"x@{OPEN}", 5)
    assert unlisted.value.vendor_code == "PRODUCT_NOT_FOUND"
    assert len(mayar.calls) == 1  # the unlisted SKU cost no call


async def test_create_for_a_payment_link_mayar_does_not_know(
    mayar: Harness,
) -> None:
    assert mayar.settings.mayar is not None
    async with open_session(mayar.settings.mayar) as session:
        ghost = CatalogEntry(sku="GHOST", mayar_payment_link_id="ghost-link-id")
        client = MayarClient(mayar.settings.mayar, session, catalog=[ghost])
        with pytest.raises(ProviderNotFound) as caught:
            await client.create_review("GHOST", f"x@{OPEN}", 5)
        summaries = await client.summaries_by_sku(["GHOST"])
    assert caught.value.vendor_code == "PRODUCT_NOT_FOUND"
    assert caught.value.vendor_message == "Produk tidak ditemukan"
    assert isinstance(summaries[0], ProviderNotFound)


async def test_update_review(mayar: Harness, clock: FakeClock) -> None:
    target = stored_review(mayar, "ACTIVE", skip=5)
    key = ReviewKey(target.id, target.payment_link_id)
    clock.advance(3600)

    updated = await mayar.client.update_review(key, rating=1, body="Sudah rusak.")

    assert updated.provider_review_id == target.id
    assert (updated.rating, updated.body) == (1, "Sudah rusak.")
    assert updated.updated_at == clock.now()
    assert updated.created_at == parse_epoch_ms(target.created_at)
    again = await mayar.client.customer_review(
        mayar.sku(target.payment_link_id), target.customer_id
    )
    assert again is not None
    assert (again.rating, again.body) == (1, "Sudah rusak.")


async def test_update_refusals(clock: FakeClock) -> None:
    async with harness(clock) as h:
        with pytest.raises(ProviderNotFound) as missing:
            await h.client.update_review("no-such-review", rating=2)
        assert missing.value.vendor_code == "REVIEW_NOT_FOUND"
        assert missing.value.vendor_message == "Review tidak ditemukan"
        target = stored_review(h, "ACTIVE")
        with pytest.raises(ProviderRejected) as behind_404:
            # A 404 with an e-mail: its text says which of the two is missing.
            await h.client.update_review(
                target.id, rating=2, customer_email="stranger@example.com"
            )
        assert behind_404.value.vendor_code == "NO_TRANSACTION"
        assert behind_404.value.http_status == 404
    simulator = SimulatorSettings(
        rate_limit_per_minute=None, transaction_not_found_status=200
    )
    async with harness(clock, simulator) as h:
        target = stored_review(h, "ACTIVE")
        with pytest.raises(ProviderRejected) as unpaid:
            await h.client.update_review(
                target.id, rating=2, customer_email="stranger@example.com"
            )
    assert unpaid.value.vendor_code == "NO_TRANSACTION"
    assert unpaid.value.vendor_message == "Transaksi tidak ditemukan"


async def test_set_review_statuses(mayar: Harness) -> None:
    first = stored_review(mayar, "ACTIVE", skip=0)
    second = stored_review(mayar, "ACTIVE", skip=1)
    first_key = ReviewKey(first.id, first.payment_link_id)

    await mayar.client.set_review_statuses(
        [(first_key, ReviewStatus.HIDDEN), (second.id, ReviewStatus.ARCHIVED)]
    )

    results = await mayar.client.reviews_by_keys([first_key])
    assert not isinstance(results[0], ProviderError)
    assert results[0] is not None
    assert results[0].status is ReviewStatus.HIDDEN
    archived = await mayar.client.customer_review(
        mayar.sku(second.payment_link_id), second.customer_id
    )
    assert archived is not None
    assert archived.status is ReviewStatus.ARCHIVED
    assert mayar.calls[0].path == "/hl/v2/reviews/bulk-status/update"


@pytest.mark.parametrize(
    "changes",
    [
        [],
        [(f"id-{i}", ReviewStatus.HIDDEN) for i in range(51)],
        [("id-1", ReviewStatus.PENDING)],
        [("", ReviewStatus.HIDDEN)],
    ],
)
async def test_bulk_status_is_checked_before_any_call(
    mayar: Harness, changes: Sequence[tuple[str, ReviewStatus]]
) -> None:
    with pytest.raises(ValueError, match=r"bulk|status|empty"):
        await mayar.client.set_review_statuses(changes)
    assert mayar.calls == []


async def test_bulk_status_with_an_unknown_review_is_rejected(
    mayar: Harness,
) -> None:
    known = stored_review(mayar, "ACTIVE")
    with pytest.raises(ProviderRejected) as caught:
        await mayar.client.set_review_statuses(
            [(known.id, ReviewStatus.HIDDEN), ("no-such-review", ReviewStatus.HIDDEN)]
        )
    assert caught.value.vendor_code == "INVALID_REVIEWS"
    assert caught.value.http_status == 400
    assert mayar.store.reviews[known.id].status == "ACTIVE"


# -- transport errors ------------------------------------------------------------------


async def test_server_error_is_unavailable(mayar: Harness) -> None:
    mayar.faults(error_rate=1.0, error_status=503)
    with pytest.raises(ProviderUnavailable) as caught:
        await mayar.client.merchant_summary()
    assert caught.value.http_status == 503


async def test_rate_limit_is_rate_limited_with_retry_after(clock: FakeClock) -> None:
    async with harness(clock, SimulatorSettings()) as h:  # 20 a minute per IP
        for _ in range(20):
            await h.client.merchant_summary()
        with pytest.raises(ProviderRateLimited) as caught:
            await h.client.merchant_summary()
    assert caught.value.http_status == 429
    assert caught.value.retry_after == 60


async def test_bad_key_is_an_auth_error_without_the_key(clock: FakeClock) -> None:
    async with harness(clock, api_key=Secret("wrong-key-123")) as h:
        with pytest.raises(ProviderAuthError) as caught:
            await h.client.list_reviews(ReviewQuery())
    assert "wrong-key-123" not in str(caught.value)
    assert "wrong-key-123" not in repr(caught.value)


async def test_read_only_key_cannot_write(clock: FakeClock) -> None:
    read_only = Secret("sandbox-mayar-read-only-key")
    async with harness(clock, api_key=read_only) as h:
        assert (await h.client.merchant_summary()).count > 0
        with pytest.raises(ProviderAuthError) as caught:
            await h.client.create_review(h.listed_skus()[0], f"x@{OPEN}", 5)
    assert caught.value.http_status == 403


async def test_hung_call_times_out(clock: FakeClock) -> None:
    async with harness(clock, timeout_s=0.2) as h:
        h.faults(timeout_rate=1.0, hang_ms=5_000)
        with pytest.raises(ProviderTimeout):
            await h.client.merchant_summary()


async def test_malformed_body_is_a_payload_error(mayar: Harness) -> None:
    mayar.faults(malformed_rate=1.0)
    with pytest.raises(ProviderPayloadError):
        await mayar.client.list_reviews(ReviewQuery())


async def test_refused_connection_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = MayarSettings(
        base_url=f"http://127.0.0.1:{port}/", api_key=Secret(API_KEY)
    )
    async with open_session(settings) as session:
        client = MayarClient(settings, session)
        with pytest.raises(ProviderUnavailable):
            await client.merchant_summary()


async def test_no_secret_in_errors_or_logs(
    mayar: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    for faults in (
        {"error_rate": 1.0},
        {"malformed_rate": 1.0},
        {"error_rate": 1.0, "error_status": 400},
    ):
        mayar.faults(**faults)
        with pytest.raises(ProviderError) as caught:
            await mayar.client.list_reviews(ReviewQuery(skus=(mayar.listed_skus()[0],)))
        errors.append(caught.value)
    mayar.faults()
    with pytest.raises(ProviderError) as refused:
        await mayar.client.create_review(mayar.listed_skus()[0], "bad", 0)
    errors.append(refused.value)
    for error in errors:
        assert isinstance(error, ProviderError)
        text = f"{error} {error!r} {error.vendor_message} {error.extensions}"
        assert API_KEY not in text
    assert API_KEY not in caplog.text
    assert API_KEY not in repr(mayar.client.__dict__)
