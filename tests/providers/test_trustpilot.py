import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest

from gateway.config import CatalogEntry, Secret, TrustpilotSettings
from gateway.errors import (
    InvalidInput,
    ProviderAuthError,
    ProviderBadRequest,
    ProviderError,
    ProviderNotFound,
    ProviderPayloadError,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
)
from gateway.http import open_session
from gateway.providers.trustpilot import TrustpilotClient
from gateway.providers.trustpilot.auth import parse_token
from gateway.providers.trustpilot.listing import Position
from gateway.providers.trustpilot.mapping import (
    imported_review_id,
    public_name,
    reply_of,
    to_attribute_summary,
    to_comment,
    to_conversation,
    to_imported_review,
    to_invitation_link,
    to_public_review,
    to_rating_summary,
    to_review,
    to_sku_summary,
)
from gateway.records import (
    CommentAuthorType,
    ConversationState,
    MediaType,
    ProductRef,
    Provider,
    RatingSummary,
    Review,
    ReviewKey,
    ReviewQuery,
    ReviewStatus,
    StarDistribution,
)
from gateway.sandbox import sandbox_settings
from sandbox.catalog import ANCHOR, build_catalog
from sandbox.control import FaultSettings, LoggedRequest
from sandbox.server import RunningSandbox, run_simulators
from sandbox.trustpilot import TrustpilotSettings as SimSettings
from sandbox.trustpilot import build_store
from sandbox.trustpilot.state import TokenRegistry
from sandbox.trustpilot.store import ProductReview
from tests.conftest import FakeClock

SAMPLES = Path(__file__).parent / "samples" / "trustpilot"
CATALOG = build_catalog(1)
STORE = build_store(CATALOG, 1)  # an independent copy of the simulator's seeded data
ALL_STATUSES = frozenset(ReviewStatus)
STATE_OF = {
    "published": ReviewStatus.PUBLISHED,
    "unpublished": ReviewStatus.HIDDEN,
    "underModeration": ReviewStatus.PENDING,
    "archived": ReviewStatus.ARCHIVED,
}
TOKEN_PATH = "/v1/oauth/oauth-business-users-for-applications/accesstoken"
DAY = timedelta(days=1)
TOKEN_TTL_S = 359_999


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def params(entry: LoggedRequest) -> dict[str, str]:
    return dict(parse_qsl(entry.query))


def published(skus: list[str] | None = None, **filters: Any) -> list[ProductReview]:
    return STORE.product_reviews(
        list(STORE.products) if skus is None else skus, **filters
    )


@dataclass
class Env:
    running: RunningSandbox
    settings: TrustpilotSettings
    catalog: tuple[CatalogEntry, ...]
    session: aiohttp.ClientSession
    client: TrustpilotClient

    def calls(self, contains: str = "") -> list[LoggedRequest]:
        return [e for e in self.running.log.entries("trustpilot") if contains in e.path]

    def api_calls(self) -> list[LoggedRequest]:
        return [e for e in self.calls() if e.path != TOKEN_PATH]

    def faults(self, **faults: Any) -> None:
        self.running.sandbox.controls["trustpilot"].apply(FaultSettings(**faults))

    def clear(self) -> None:
        self.running.log.clear()


@asynccontextmanager
async def serve(
    clock: FakeClock,
    *,
    sim: SimSettings | None = None,
    monotonic: Callable[[], float] | None = None,
    catalog: tuple[CatalogEntry, ...] | None = None,
    **overrides: Any,
) -> AsyncIterator[Env]:
    options: dict[str, Any] = {"settings": {"trustpilot": sim}} if sim else {}
    async with run_simulators(
        providers={"trustpilot"}, clock=clock.now, **options
    ) as running:
        settings = sandbox_settings(running)
        assert settings.trustpilot is not None
        tp = replace(settings.trustpilot, **overrides)
        entries = settings.catalog if catalog is None else catalog
        async with open_session(tp) as session:
            client = TrustpilotClient(
                tp,
                session,
                catalog=entries,
                monotonic=monotonic or clock.monotonic,
                now=clock.now,
            )
            yield Env(running, tp, settings.catalog, session, client)


@pytest.fixture
async def env(clock: FakeClock) -> AsyncIterator[Env]:
    async with serve(clock) as running:
        yield running


async def walk_reviews(
    client: TrustpilotClient, query: ReviewQuery, limit: int
) -> list[str]:
    ids: list[str] = []
    position: str | None = None
    while True:
        page = await client.list_reviews(query, position, limit)
        assert len(page.items) <= limit
        ids += [r.provider_review_id for r in page.items]
        position = page.next
        if position is None:
            return ids


# --- mapping on the docs' samples ---------------------------------------------------


def test_private_review_sample_maps_every_field() -> None:
    review = to_review(sample("private_review.json"))
    assert review.provider is Provider.TRUSTPILOT
    assert review.provider_review_id == "507f191e810c19729de860ea"
    assert (review.rating, review.rating_exact) == (4, 4.0)
    assert review.title is None
    assert review.body == "This product was nice, but slightly too soft."
    assert review.language == "en"
    assert review.created_at.isoformat() == "2013-09-07T13:37:00+00:00"
    assert review.updated_at == review.created_at
    assert review.status is ReviewStatus.PUBLISHED
    assert review.verified is None
    assert not review.imported
    assert (review.author.display_name, review.author.country) == ("John D.", "US")
    assert review.customer is not None
    assert review.customer.name == "John Doe"
    assert review.customer.email == "johndoe@somewhere.com"
    assert review.customer.order_reference == "123ABC"
    assert review.conversation_id == "507f191e810c19729de860ea"
    assert review.product == ProductRef(
        provider=Provider.TRUSTPILOT,
        provider_product_id="507f191e810c19729de860ea",
        sku="ABC-1234",
        name="Metal Toy Car",
        gtin="01234567890",
        mpn="7TX1641",
        brand="Acme",
        url="http://www.mycompanystore.com/products/12345.htm",
        image_url="http://www.mycompanystore.com/products/images/12345.jpg",
    )
    assert [(a.id, a.name, a.rating) for a in review.attribute_ratings] == [
        ("attributes.default.quality", "Quality", 4)
    ]
    assert len(review.media) == 1
    assert review.media[0].type is MediaType.IMAGE
    assert review.media[0].url.endswith("_1024pxWide.png")
    assert review.media[0].thumbnail_url is None
    assert review.locator is None
    assert review.raw == sample("private_review.json")


def test_private_review_with_optional_fields_missing() -> None:
    review = to_review(sample("private_review_minimal.json"))
    assert review.status is ReviewStatus.PENDING
    assert review.body is None
    assert review.language is None
    assert review.updated_at is None
    assert review.product is None
    assert review.media == ()
    assert review.attribute_ratings == ()
    assert review.conversation_id is None
    assert (review.author.display_name, review.author.country) == ("Anonymous", None)


def test_private_list_sample_items_map() -> None:
    body = sample("private_reviews.json")
    assert [to_review(r).rating for r in body["productReviews"]] == [4]


def test_public_and_imported_samples_map() -> None:
    public = to_public_review(sample("public_reviews.json")["productReviews"][0])
    assert public.status is ReviewStatus.PUBLISHED
    assert public.author.display_name == "John Doe"
    assert public.customer is None
    product = ProductRef(Provider.TRUSTPILOT, None, "ABC-1234")
    raw = sample("imported_reviews.json")["productReviews"][0]
    imported = to_imported_review(raw, product)
    assert imported.imported
    assert imported.provider_review_id == imported_review_id("ABC-1234", raw)
    assert imported.provider_review_id.startswith("imported-")
    assert imported.locator == "ABC-1234"
    assert imported.key == ReviewKey(imported.provider_review_id, "ABC-1234")
    assert imported.author.display_name == "John D."
    assert imported.product == product


def test_imported_review_id_is_stable_and_content_bound() -> None:
    raw = sample("imported_reviews.json")["productReviews"][0]
    same = imported_review_id("ABC-1234", json.loads(json.dumps(raw)))
    assert imported_review_id("ABC-1234", raw) == same
    assert imported_review_id("ABC-9999", raw) != same
    assert imported_review_id("ABC-1234", {**raw, "content": "other"}) != same


def test_summary_samples_map() -> None:
    expected = StarDistribution(2, 3, 2, 5, 2)
    summary = to_rating_summary(sample("summary.json"), "ABC-1234")
    assert (summary.count, summary.average, summary.distribution) == (14, 3.1, expected)
    batch = to_sku_summary(sample("batch_summaries.json")["summaries"][0])
    assert (batch.sku, batch.count, batch.distribution) == ("ABCD-1234", 14, expected)
    listed = to_sku_summary(sample("private_summaries.json")["summaries"][0])
    assert listed.sku == "ABC-1234"
    empty = {
        "numberOfReviews": dict.fromkeys(sample("summary.json")["numberOfReviews"], 0)
    }
    assert to_rating_summary({**empty, "starsAverage": 0.0}, "X").average is None
    attribute = sample("attribute_summaries.json")["summaries"][0]["attributes"][0]
    mapped = to_attribute_summary(attribute)
    assert (mapped.id, mapped.name, mapped.count) == (
        "attributes.default.quality",
        "Quality",
        1234,
    )
    assert mapped.average == 4.23
    assert mapped.distribution == StarDistribution(2, 0, 0, 10, 60)


def test_conversation_comment_and_invitation_samples_map() -> None:
    private = to_conversation(sample("private_conversation.json"))
    assert private.state is ConversationState.PUBLIC
    assert private.review_id == "507f191e810c19729de860ea"
    assert [c.author_type for c in private.comments] == [CommentAuthorType.BUSINESS]
    public = to_conversation(sample("public_conversation.json"))
    assert (public.state, public.review_id) == (ConversationState.PUBLIC, None)
    comment = to_comment(sample("comment.json"))
    assert comment.author_type is CommentAuthorType.BUSINESS
    assert comment.body.startswith("Thank you")
    consumer = {**sample("comment.json"), "author": {"id": "c1", "type": "consumer"}}
    assert to_comment(consumer).author_type is CommentAuthorType.CONSUMER
    reply = reply_of(private)
    assert reply is not None
    assert reply.body == comment.body
    link = to_invitation_link(sample("invitation_link.json"))
    assert link.url.endswith(link.id)


def test_token_sample_expires_in_is_a_string_of_seconds() -> None:
    token = parse_token(sample("token.json"), obtained_at=100.0)
    assert token.access == "AccessTokenFromTheDocs"
    assert token.refresh == "RefreshTokenFromTheDocs"
    assert token.fresh_until == pytest.approx(100.0 + 359_999 - 60)
    assert "AccessTokenFromTheDocs" not in repr(token)


def _without(raw: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k != key}


@pytest.mark.parametrize(
    ("mapper", "raw"),
    [
        (to_review, _without(sample("private_review.json"), "id")),
        (to_review, _without(sample("private_review.json"), "createdAt")),
        (to_review, {**sample("private_review.json"), "createdAt": "yesterday"}),
        (to_review, {**sample("private_review.json"), "stars": "4"}),
        (to_review, {**sample("private_review.json"), "stars": 6}),
        (to_review, {**sample("private_review.json"), "state": "deleted"}),
        (to_review, {**sample("private_review.json"), "consumer": None}),
        (to_review, {**sample("private_review.json"), "attachments": {}}),
        (to_review, ["not", "an", "object"]),
        (to_public_review, _without(sample("comment.json"), "stars")),
        (to_comment, _without(sample("comment.json"), "author")),
        (to_conversation, {**sample("private_conversation.json"), "state": "secret"}),
        (
            to_sku_summary,
            _without(sample("batch_summaries.json")["summaries"][0], "sku"),
        ),
        (
            lambda raw: to_rating_summary(raw, None),
            _without(sample("summary.json"), "numberOfReviews"),
        ),
        (to_invitation_link, {"reviewLinkId": "x"}),
        (
            lambda raw: parse_token(raw, 0.0),
            _without(sample("token.json"), "expires_in"),
        ),
        (
            lambda raw: parse_token(raw, 0.0),
            {**sample("token.json"), "expires_in": "soon"},
        ),
    ],
)
def test_drift_raises_payload_error(mapper: Callable[[Any], object], raw: Any) -> None:
    with pytest.raises(ProviderPayloadError):
        mapper(raw)


def test_public_name_never_shows_a_full_name() -> None:
    assert public_name("John Doe") == "John D."
    assert public_name("Iris de Jong") == "Iris J."
    assert public_name("Cher") == "Cher"
    assert public_name(None) == "Anonymous"


def test_positions_are_opaque_and_checked() -> None:
    position = Position(3, 20, 5)
    assert Position.decode(position.encode(), 100) == position
    for bad in (
        "",
        "garbage!",
        Position(1, 500).encode(),
        Position(1, 20, 20).encode(),
    ):
        with pytest.raises(InvalidInput):
            Position.decode(bad, 100)


# --- list_reviews --------------------------------------------------------------------


async def test_paging_to_the_end_yields_every_published_review_once_in_order(
    env: Env,
) -> None:
    ids = await walk_reviews(env.client, ReviewQuery(), 50)
    assert ids == [r.id for r in published()]
    calls = env.api_calls()
    assert len(calls) == -(-len(ids) // 50)
    assert all("state=published" in c.query and "sku=" not in c.query for c in calls)
    first = await env.client.list_reviews(ReviewQuery(), limit=50)
    assert first.total == len(ids)


async def test_list_reviews_maps_private_fields_against_the_store(env: Env) -> None:
    page = await env.client.list_reviews(ReviewQuery(statuses=ALL_STATUSES), limit=100)
    for review in page.items:
        stored = STORE.reviews[review.provider_review_id]
        assert review.rating == stored.stars
        assert review.status is STATE_OF[stored.state]
        assert review.body == stored.content
        assert review.created_at == stored.created_at
        assert review.updated_at == stored.updated_at
        assert review.conversation_id == stored.conversation_id
        assert review.product is not None
        assert review.product.sku == stored.sku
        assert review.customer is not None
        assert review.customer.email == stored.consumer.email
        assert review.author.country == stored.locale.split("-")[1]
        assert len(review.media) == len(stored.attachments)


async def test_list_reviews_pushes_skus_states_and_language_down(env: Env) -> None:
    skus = list(STORE.by_sku)[:3]
    query = ReviewQuery(
        skus=(*skus, "NOT-IN-CATALOG"), statuses=ALL_STATUSES, language="de"
    )
    ids = await walk_reviews(env.client, query, 7)
    states = ["published", "unpublished", "underModeration", "archived"]
    expected = STORE.product_reviews(skus, states=states, language="de")
    assert ids == [r.id for r in expected]
    sent = params(env.api_calls()[0])
    assert sent["sku"] == ",".join(skus)
    assert sent["state"] == "published,unpublished,underModeration,archived"
    assert sent["language"] == "de"


async def test_list_reviews_filters_ratings_and_dates_in_the_client(env: Env) -> None:
    reviews = published()
    after, before = reviews[300].created_at, reviews[20].created_at
    query = ReviewQuery(
        ratings=frozenset({1, 2}), created_after=after, created_before=before
    )
    expected = [
        r.id for r in reviews if r.stars in (1, 2) and after <= r.created_at < before
    ]
    assert expected
    assert await walk_reviews(env.client, query, 3) == expected
    page = await env.client.list_reviews(query, limit=3)
    assert page.total is None


async def test_list_reviews_stops_at_created_after(env: Env) -> None:
    after = published()[29].created_at
    page = await env.client.list_reviews(ReviewQuery(created_after=after), limit=100)
    assert [r.provider_review_id for r in page.items] == [
        r.id for r in published()[:30]
    ]
    assert page.next is None
    assert len(env.api_calls()) == 1


@pytest.mark.parametrize(
    "query",
    [
        ReviewQuery(shop=True),
        ReviewQuery(skus=("NOT-IN-CATALOG",)),
        ReviewQuery(statuses=frozenset({ReviewStatus.REJECTED})),
        ReviewQuery(statuses=frozenset()),
        ReviewQuery(ratings=frozenset()),
    ],
)
async def test_queries_nothing_can_match_cost_no_call(
    env: Env, query: ReviewQuery
) -> None:
    page = await env.client.list_reviews(query)
    assert (page.items, page.next) == ((), None)
    assert env.calls() == []


async def test_list_reviews_checks_limit_and_position(env: Env) -> None:
    for limit in (0, 101):
        with pytest.raises(ValueError, match="limit"):
            await env.client.list_reviews(ReviewQuery(), limit=limit)
    with pytest.raises(InvalidInput):
        await env.client.list_reviews(ReviewQuery(), "not-a-position")


# --- reviews_by_keys ------------------------------------------------------------------


async def test_reviews_by_keys_is_aligned_and_fetches_each_id_once(env: Env) -> None:
    hidden = next(r for r in STORE.reviews.values() if r.state == "unpublished")
    first, second = published()[:2]
    sku = next(iter(STORE.imported))
    imported = (await env.client.imported_reviews(sku, limit=1)).items[0]
    env.clear()
    keys = [
        ReviewKey(first.id),
        ReviewKey(hidden.id),
        ReviewKey(first.id),
        ReviewKey("000000000000000000000000"),
        imported.key,
        ReviewKey(second.id, "ignored-locator"),
    ]
    results = await env.client.reviews_by_keys(keys)
    assert len(results) == len(keys)
    got = [
        r.provider_review_id if r is not None and not isinstance(r, Exception) else r
        for r in results
    ]
    assert got == [
        first.id,
        hidden.id,
        first.id,
        None,
        imported.provider_review_id,
        second.id,
    ]
    assert results[1].status is ReviewStatus.HIDDEN  # type: ignore[union-attr]
    assert results[4] == imported
    singles = env.calls("/v1/private/product-reviews/")
    assert sorted(c.path.rsplit("/", 1)[1] for c in singles) == sorted(
        {first.id, hidden.id, second.id, "000000000000000000000000"}
    )
    assert len(env.calls("/imported-reviews")) == 1


async def test_reviews_by_keys_puts_failures_in_their_slots(env: Env) -> None:
    await env.client.conversation("warm-up-the-token")
    env.faults(error_rate=1.0, error_status=503)
    results = await env.client.reviews_by_keys([ReviewKey("a"), ReviewKey("b")])
    assert all(isinstance(r, ProviderUnavailable) for r in results)


# --- summaries ---------------------------------------------------------------------


async def test_summaries_by_sku_one_batch_call_and_no_call_for_unlisted(
    env: Env,
) -> None:
    skus = [e.sku for e in env.catalog] + ["NOT-IN-CATALOG", env.catalog[0].sku]
    results = await env.client.summaries_by_sku(skus)
    assert len(results) == len(skus)
    for sku, summary in zip(skus, results, strict=True):
        assert not isinstance(summary, ProviderError)
        expected = STORE.summary([sku])
        assert summary.sku == sku
        assert summary.count == expected.total
        assert summary.distribution == StarDistribution(*expected.counts)
        if expected.total:
            assert summary.average == round(expected.average() or 0, 1)
        else:
            assert summary.average is None
    calls = env.calls()
    assert [c.path.rsplit("/", 1)[1] for c in calls] == ["batch-summaries"]


async def test_summaries_by_sku_chunks_100_skus_per_call(clock: FakeClock) -> None:
    async with serve(clock, catalog=()) as env:
        skus = [*STORE.products, *(f"FAKE-{i}" for i in range(219))]
        assert len(skus) == 250
        results = await env.client.summaries_by_sku(skus)
        assert len(env.calls("batch-summaries")) == 3
        counts = [r.count for r in results if not isinstance(r, ProviderError)]
        assert counts == [STORE.summary([s]).total for s in skus]


async def test_summary_batch_failure_fills_each_slot(env: Env) -> None:
    env.faults(error_rate=1.0, error_status=500)
    results = await env.client.summaries_by_sku([e.sku for e in env.catalog[:3]])
    assert all(
        isinstance(r, ProviderUnavailable) and r.http_status == 500 for r in results
    )


async def test_product_and_imported_summaries_sum_the_skus(env: Env) -> None:
    skus = list(STORE.imported)[:2]
    summed = await env.client.product_summary(skus)
    assert summed.sku is None
    assert summed.distribution == StarDistribution(*STORE.summary(skus).counts)
    one = await env.client.product_summary(skus[:1])
    assert (one.sku, one.count) == (skus[0], STORE.summary(skus[:1]).total)
    imported = await env.client.imported_summary(skus)
    assert imported.count == STORE.imported_summary(skus).total
    assert imported.distribution == StarDistribution(
        *STORE.imported_summary(skus).counts
    )
    assert params(env.calls()[0])["sku"] == ",".join(skus)
    nothing = await env.client.product_summary(["NOT-IN-CATALOG"])
    assert (nothing.count, nothing.average) == (0, None)
    assert len(env.calls()) == 3


async def test_attribute_summaries_per_sku(env: Env) -> None:
    skus = [*list(STORE.products)[:3], "NOT-IN-CATALOG"]
    results = await env.client.attribute_summaries(skus, locale="da-DK")
    assert results[3] == ()
    for sku, found in zip(skus[:3], results[:3], strict=True):
        assert not isinstance(found, ProviderError)
        given: dict[str, list[int]] = {}
        for review in STORE.product_reviews([sku]):
            for attribute_id, rating in review.attribute_ratings:
                given.setdefault(attribute_id, []).append(rating)
        assert {a.id: a.count for a in found} == {k: len(v) for k, v in given.items()}
        for attribute in found:
            ratings = given[attribute.id]
            assert attribute.distribution == StarDistribution(
                *(ratings.count(n) for n in range(1, 6))
            )
            assert attribute.average == pytest.approx(
                sum(ratings) / len(ratings), abs=0.01
            )
    assert any(a.name == "Kvalitet" for a in results[0])  # type: ignore[union-attr]
    assert len(env.calls()) == 1


async def test_private_summaries_list_pages_to_the_end(env: Env) -> None:
    found: list[RatingSummary] = []
    position: str | None = None
    while True:
        page = await env.client.product_summaries(position, limit=10)
        found += page.items
        position = page.next
        if position is None:
            break
    reviewed = [s for s in sorted(STORE.products) if STORE.summary([s]).total]
    assert [s.sku for s in found] == reviewed
    assert [s.count for s in found] == [STORE.summary([s]).total for s in reviewed]


# --- other lists ---------------------------------------------------------------------


async def test_imported_reviews_page_to_the_end_with_stable_ids(env: Env) -> None:
    sku = max(STORE.imported, key=lambda s: len(STORE.imported[s]))
    walks = []
    for _ in range(2):
        items: list[Review] = []
        position: str | None = None
        while True:
            page = await env.client.imported_reviews(sku, position, limit=2)
            items += page.items
            position = page.next
            if position is None:
                break
        walks.append(items)
    items = walks[0]
    assert [r.provider_review_id for r in items] == [
        r.provider_review_id for r in walks[1]
    ]
    assert len({r.provider_review_id for r in items}) == len(items)
    stored = STORE.imported[sku]
    assert [(r.created_at, r.rating, r.body) for r in items] == [
        (s.created_at, s.stars, s.content) for s in stored
    ]
    assert all(r.imported and r.product and r.product.sku == sku for r in items)
    filtered = await env.client.imported_reviews(sku, ratings=[5], language="en")
    assert all(r.rating == 5 and r.language == "en" for r in filtered.items)
    assert params(env.calls()[-1])["stars"] == "5"


async def test_published_reviews_use_the_public_endpoint(env: Env) -> None:
    sku = next(iter(STORE.products))
    page = await env.client.published_reviews([sku], ratings=[4, 5], limit=100)
    expected = STORE.product_reviews([sku], stars={4, 5})
    assert [r.provider_review_id for r in page.items] == [r.id for r in expected]
    assert [r.author.display_name for r in page.items] == [
        r.consumer.display_name for r in expected
    ]
    assert all(
        r.product and r.product.sku == sku and r.customer is None for r in page.items
    )
    assert env.calls()[0].path.endswith("/reviews")
    assert "private" not in env.calls()[0].path


# --- business unit, invitations, conversations ----------------------------------------


async def test_find_business_unit(env: Env) -> None:
    assert await env.client.find_business_unit("www.sandbox-shop.example") == (
        STORE.business_unit_id
    )
    assert await env.client.find_business_unit("elsewhere.example") is None


async def test_invitation_links(env: Env) -> None:
    sku = next(iter(STORE.products))
    common: dict[str, Any] = {
        "email": "jane@example.com",
        "name": "Jane Roe",
        "reference_id": "ORD-1",
        "locale": "en-US",
    }
    by_sku = await env.client.create_invitation_link(**common, skus=[sku])
    by_id = await env.client.create_invitation_link(
        **common, product_ids=[STORE.product_ids[sku]], redirect_uri="https://x.example"
    )
    assert by_sku.id != by_id.id
    assert by_id.url == f"https://products.trustpilot.com/evaluate/{by_id.id}"
    with pytest.raises(ValueError, match="either"):
        await env.client.create_invitation_link(**common)
    with pytest.raises(ValueError, match="either"):
        await env.client.create_invitation_link(**common, skus=[sku], product_ids=["x"])
    with pytest.raises(ProviderBadRequest):
        await env.client.create_invitation_link(**common, product_ids=["unknown"])


async def test_conversation_lifecycle(env: Env) -> None:
    review = next(r for r in published() if r.conversation_id is None)
    client = env.client
    conversation_id = await client.create_conversation(review.id)
    assert await client.create_conversation(review.id) == conversation_id
    added = await client.add_comment(conversation_id, "Thanks!", integration_id="IB1")
    assert (added.body, added.author_type) == ("Thanks!", CommentAuthorType.BUSINESS)
    assert await client.get_comment(conversation_id, added.id) == added
    edited = await client.edit_comment(conversation_id, added.id, "Thank you!")
    assert (edited.body, edited.created_at) == ("Thank you!", added.created_at)
    private = await client.conversation(conversation_id)
    assert private is not None
    assert (private.state, private.review_id) == (ConversationState.PUBLIC, review.id)
    assert private.comments == (edited,)
    public = await client.public_conversation(conversation_id)
    assert public is not None
    assert public.comments == (edited,)
    await client.set_conversation_state(conversation_id, ConversationState.PRIVATE)
    hidden = await client.conversation(conversation_id)
    assert hidden is not None
    assert hidden.state is ConversationState.PRIVATE
    assert await client.public_conversation(conversation_id) is None
    assert await client.get_comment(conversation_id, "0" * 24) is None
    assert await client.conversation("0" * 24) is None
    with pytest.raises(ProviderNotFound):
        await client.create_conversation("0" * 24)
    with pytest.raises(ProviderNotFound):
        await client.add_comment("0" * 24, "hello")


async def test_conversations_by_ids_is_aligned(env: Env) -> None:
    seeded = list(STORE.conversations.values())
    private = next(c for c in seeded if c.state == "private")
    with_consumer = next(
        c for c in seeded if any(x.author_type == "consumer" for x in c.comments)
    )
    ids = [private.id, "0" * 24, with_consumer.id, private.id]
    results = await env.client.conversations_by_ids(ids)
    assert results[1] is None
    for wanted, got in zip(ids, results, strict=True):
        if wanted == "0" * 24:
            continue
        stored = STORE.conversations[wanted]
        assert got is not None
        assert not isinstance(got, ProviderError)
        assert got.state.value == stored.state
        assert got.review_id == stored.review_id
        assert [(c.id, c.author_type) for c in got.comments] == [
            (
                c.id,
                CommentAuthorType.BUSINESS
                if c.author_type == "businessUser"
                else CommentAuthorType.CONSUMER,
            )
            for c in stored.comments
        ]
    assert len(env.api_calls()) == 3
    consumer_comment = next(
        c for c in with_consumer.comments if c.author_type == "consumer"
    )
    with pytest.raises(ProviderAuthError):
        await env.client.edit_comment(with_consumer.id, consumer_comment.id, "x")


# --- tokens ---------------------------------------------------------------------------


def grants(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.grant for r in caplog.records if r.getMessage() == "token issued"]  # type: ignore[attr-defined]


async def test_token_is_cached_then_refreshed_when_expired(
    env: Env, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await env.client.conversation("a")
    await env.client.conversation("b")
    assert len(env.calls(TOKEN_PATH)) == 1
    clock.advance(TOKEN_TTL_S - 30)  # inside the renewal margin
    await env.client.conversation("c")
    assert len(env.calls(TOKEN_PATH)) == 2
    assert grants(caplog) == ["password", "refresh_token"]
    assert [c.status for c in env.api_calls()] == [404, 404, 404]


async def test_refused_refresh_falls_back_to_a_new_grant(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with serve(clock, sim=SimSettings(refresh_token_ttl_s=3600)) as env:
        await env.client.conversation("a")
        clock.advance(TOKEN_TTL_S + 1)
        await env.client.conversation("b")
        assert grants(caplog) == ["password", "password"]
        assert "token refresh refused" in caplog.text
        assert [c.status for c in env.calls(TOKEN_PATH)] == [200, 400, 200]


async def test_client_credentials_without_a_business_user_login(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with serve(clock, username=None, password=None) as env:
        await env.client.conversation("a")
        clock.advance(TOKEN_TTL_S + 1)
        await env.client.conversation("b")
        assert grants(caplog) == ["client_credentials", "client_credentials"]


async def test_concurrent_callers_share_one_token_request(env: Env) -> None:
    await asyncio.gather(*(env.client.conversation(str(i)) for i in range(10)))
    assert len(env.calls(TOKEN_PATH)) == 1
    assert len(env.api_calls()) == 10


async def test_one_401_reauthenticates_once_and_replays_once(clock: FakeClock) -> None:
    # The client's clock stands still: it trusts its token, the platform expired it.
    async with serve(clock, monotonic=lambda: 0.0) as env:
        conversation = next(iter(STORE.conversations))
        await env.client.conversation(conversation)
        clock.advance(TOKEN_TTL_S + 1)
        env.clear()
        found = await env.client.conversation(conversation)
        assert found is not None
        assert [(c.path == TOKEN_PATH, c.status) for c in env.calls()] == [
            (False, 401),
            (True, 200),
            (False, 200),
        ]


async def test_a_second_401_raises_auth_error(clock: FakeClock) -> None:
    async with serve(clock, sim=SimSettings(access_token_ttl_s=0)) as env:
        with pytest.raises(ProviderAuthError) as caught:
            await env.client.conversation("a")
        assert caught.value.http_status == 401
        assert [(c.path == TOKEN_PATH, c.status) for c in env.calls()] == [
            (True, 200),
            (False, 401),
            (True, 200),
            (False, 401),
        ]


# --- errors ---------------------------------------------------------------------------


def assert_no_secret(env: Env, *texts: str) -> None:
    creds = CATALOG.credentials.trustpilot
    # The simulator's token values are seeded: the first ones it issues.
    registry = TokenRegistry(1)
    tokens = [registry.issue(ANCHOR, 1)[0].value for _ in range(3)]
    secrets = (creds.api_key, creds.api_secret, creds.password, *tokens)
    for text in texts:
        for secret in secrets:
            assert secret not in text


@pytest.mark.parametrize(
    ("overrides", "public"),
    [
        ({"api_secret": "wrong-secret"}, False),
        ({"password": "wrong-password"}, False),
        ({"api_key": "wrong-key"}, True),
        ({"api_key": "wrong-key"}, False),
    ],
)
async def test_bad_credentials_raise_auth_error_without_secrets(
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    overrides: dict[str, str],
    public: bool,
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets: dict[str, Any] = {k: Secret(v) for k, v in overrides.items()}
    async with serve(clock, **secrets) as env:
        call = (
            env.client.product_summary([env.catalog[0].sku])
            if public
            else env.client.conversation("a")
        )
        with pytest.raises(ProviderAuthError) as caught:
            await call
        error = caught.value
        logged = " ".join(str(r.__dict__) for r in caplog.records)
        texts = (
            str(error),
            repr(error),
            str(error.extensions),
            repr(env.client),
            logged,
        )
        assert_no_secret(env, *texts)
        for value in overrides.values():
            assert all(value not in text for text in texts)


async def test_token_never_appears_in_logs_or_errors(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await env.client.conversation(next(iter(STORE.conversations)))
    env.faults(error_rate=1.0, error_status=503)
    with pytest.raises(ProviderUnavailable) as caught:
        await env.client.conversation("a")
    logged = " ".join(str(r.__dict__) for r in caplog.records)
    assert_no_secret(env, logged, str(caught.value), repr(env.client))


async def test_server_error_is_unavailable(env: Env) -> None:
    env.faults(error_rate=1.0, error_status=503)
    with pytest.raises(ProviderUnavailable) as caught:
        await env.client.product_summary([env.catalog[0].sku])
    assert caught.value.http_status == 503


async def test_rate_limit_carries_retry_after(env: Env) -> None:
    env.faults(rate_limit_per_minute=1)
    await env.client.product_summary([env.catalog[0].sku])
    with pytest.raises(ProviderRateLimited) as caught:
        await env.client.product_summary([env.catalog[0].sku])
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0


async def test_hung_call_times_out(clock: FakeClock) -> None:
    async with serve(clock, timeout_s=0.2) as env:
        env.faults(timeout_rate=1.0, hang_ms=5_000)
        with pytest.raises(ProviderTimeout):
            await env.client.product_summary([env.catalog[0].sku])


async def test_malformed_body_is_payload_error(env: Env) -> None:
    env.faults(malformed_rate=1.0)
    with pytest.raises(ProviderPayloadError):
        await env.client.product_summary([env.catalog[0].sku])


async def test_connection_refused_is_unavailable(env: Env) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = replace(env.settings, base_url=f"http://127.0.0.1:{port}/")
    async with open_session(settings) as session:
        client = TrustpilotClient(settings, session)
        with pytest.raises(ProviderUnavailable) as caught:
            await client.product_summary(["APP-1000"])
    assert not isinstance(caught.value, ProviderTimeout)


async def test_envelope_errors_map_to_their_class(clock: FakeClock) -> None:
    async with serve(clock, business_unit_id="000000000000000000000000") as env:
        with pytest.raises(ProviderNotFound):
            await env.client.product_summary([env.catalog[0].sku])
        results = await env.client.summaries_by_sku([env.catalog[0].sku])
        assert isinstance(results[0], ProviderNotFound)
    async with serve(clock) as env:
        with pytest.raises(ProviderBadRequest):
            await env.client.create_invitation_link(
                email="not-an-email",
                name="x",
                reference_id="r",
                locale="en-US",
                skus=[next(iter(STORE.products))],
            )
