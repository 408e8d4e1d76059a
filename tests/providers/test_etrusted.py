import asyncio
import copy
import json
import logging
import math
import socket
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import fmean
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest

from gateway.config import CatalogEntry, EtrustedSettings, Secret
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
from gateway.providers.etrusted import EtrustedClient, to_reply, to_report, to_review
from gateway.providers.etrusted.client import SKU_CHUNK_CHARS
from gateway.providers.etrusted.mapping import (
    has_rating,
    stars,
    to_review_list,
    to_service_ratings,
)
from gateway.providers.etrusted.query import chunk_skus, encode_position
from gateway.records import (
    MediaType,
    Page,
    Provider,
    Review,
    ReviewKey,
    ReviewQuery,
    ReviewStatus,
    StarDistribution,
)
from gateway.sandbox import sandbox_settings
from sandbox.catalog import build_catalog
from sandbox.control import FaultSettings, LoggedRequest
from sandbox.etrusted import EtrustedSettings as SimSettings
from sandbox.etrusted import build_store
from sandbox.etrusted.aggregate import aggregate_json
from sandbox.etrusted.model import Review as SimReview
from sandbox.server import RunningSandbox, run_simulators
from tests.conftest import FakeClock

SAMPLES = Path(__file__).parent / "samples" / "etrusted"
CATALOG = build_catalog(1)
STORE = build_store(CATALOG, 1)  # an independent copy of the simulator's data
CREDS = CATALOG.credentials.etrusted
ETRUSTED_SKUS = [p.sku for p in CATALOG.on("etrusted")]
TOKEN_PATH = "/oauth/token"
ALL_STATES = frozenset({"APPROVED", "MODERATION", "REJECTED"})


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text())


def expected_ids(
    *,
    states: frozenset[str] = frozenset({"APPROVED"}),
    channels: Iterable[str] = CREDS.channel_ids,
    types: frozenset[str] | None = None,
    skus: Iterable[str] | None = None,
    keep: Callable[[SimReview], bool] = lambda r: True,
) -> list[str]:
    """The simulator's own reviews a query should list, newest first."""
    wanted_channels = set(channels)
    wanted_skus = None if skus is None else set(skus)
    rows = [
        r
        for r in STORE.reviews
        if r.channel_id in wanted_channels
        and r.state in states
        and not r.is_statement
        and (types is None or r.type in types)
        and (
            wanted_skus is None
            or (r.product is not None and r.product.sku in wanted_skus)
        )
        and keep(r)
    ]
    rows.sort(key=lambda r: (r.submitted_at, r.id), reverse=True)
    return [r.id for r in rows]


def sim_review(review_id: str) -> SimReview:
    return STORE.review(review_id)


@dataclass
class Env:
    running: RunningSandbox
    settings: EtrustedSettings
    catalog: tuple[CatalogEntry, ...]
    session: aiohttp.ClientSession
    clock: FakeClock

    def client(
        self,
        settings: EtrustedSettings | None = None,
        *,
        session: aiohttp.ClientSession | None = None,
        monotonic: Callable[[], float] | None = None,
        catalog: tuple[CatalogEntry, ...] | None = None,
    ) -> EtrustedClient:
        return EtrustedClient(
            settings or self.settings,
            session or self.session,
            catalog=self.catalog if catalog is None else catalog,
            monotonic=monotonic or self.clock.monotonic,
            now=self.clock.now,
        )

    def log(self) -> list[LoggedRequest]:
        return self.running.log.entries("etrusted")

    def api_calls(self, path: str | None = None) -> list[LoggedRequest]:
        return [
            e
            for e in self.log()
            if e.path != TOKEN_PATH and (path is None or e.path == path)
        ]

    def token_calls(self) -> list[LoggedRequest]:
        return [e for e in self.log() if e.path == TOKEN_PATH]

    def clear_log(self) -> None:
        self.running.log.clear()

    def faults(self, **settings: Any) -> None:
        self.running.sandbox.controls["etrusted"].apply(FaultSettings(**settings))


@pytest.fixture
async def env(clock: FakeClock) -> AsyncIterator[Env]:
    async with run_simulators(providers={"etrusted"}, clock=clock.now) as running:
        settings = sandbox_settings(running)
        assert settings.etrusted is not None
        async with open_session(settings.etrusted) as session:
            yield Env(running, settings.etrusted, settings.catalog, session, clock)


async def page_all(
    fetch: Callable[[str | None], Any], *, limit: int
) -> tuple[list[Review], int]:
    """Every review of a listing, following ``next``; and the number of pages."""
    reviews: list[Review] = []
    position: str | None = None
    pages = 0
    while True:
        page: Page[Review] = await fetch(position)
        pages += 1
        assert len(page.items) <= limit
        reviews.extend(page.items)
        if page.next is None:
            return reviews, pages
        position = page.next


def query_of(entry: LoggedRequest) -> dict[str, str]:
    return {k: ",".join(v) for k, v in parse_qs(entry.query).items()}


# -- list_reviews ----------------------------------------------------------------


async def test_list_reviews_pages_through_every_published_review_once_newest_first(
    env: Env,
) -> None:
    client = env.client()
    reviews, pages = await page_all(
        lambda p: client.list_reviews(ReviewQuery(), p, limit=300), limit=300
    )
    ids = [r.provider_review_id for r in reviews]
    assert ids == expected_ids()
    assert len(set(ids)) == len(ids)
    assert [r.created_at for r in reviews] == sorted(
        (r.created_at for r in reviews), reverse=True
    )
    assert pages == math.ceil(len(ids) / 300)
    calls = env.api_calls("/reviews")
    assert len(calls) == pages
    first = query_of(calls[0])
    assert first["status"] == "APPROVED"
    assert first["count"] == "300"
    assert first["channels"] == ",".join(CREDS.channel_ids)
    assert first["additionalInformation"] == "ATTACHMENTS"
    assert "type" not in first
    assert "sku" not in first
    assert query_of(calls[1])["after"] == ids[299]
    assert len(env.token_calls()) == 1


async def test_list_reviews_maps_every_field_from_the_simulator(env: Env) -> None:
    client = env.client()
    reviews, _ = await page_all(
        lambda p: client.list_reviews(ReviewQuery(), p, limit=1000), limit=1000
    )
    with_media = [r for r in reviews if r.media]
    imported = [r for r in reviews if r.imported]
    assert with_media
    assert imported
    for review in reviews:
        source = sim_review(review.provider_review_id)
        assert source.rating is not None
        assert review.provider is Provider.ETRUSTED
        assert review.rating_exact == source.rating
        assert review.rating == stars(source.rating)
        assert review.status is ReviewStatus.PUBLISHED
        assert review.created_at == source.submitted_at
        assert review.updated_at == source.updated_at
        assert review.title == source.title
        assert review.body == source.comment
        assert review.language == source.locale[:2]
        assert review.author.country == source.locale[3:]
        first, last = source.customer.first_name, source.customer.last_name
        assert review.author.display_name == f"{first} {last[0]}."
        assert review.customer is not None
        assert review.customer.name == f"{first} {last}"
        assert review.customer.email == source.customer.email
        assert review.customer.phone == source.customer.mobile
        assert review.customer.order_reference == source.transaction_reference
        assert review.verified is source.verified
        assert review.imported is (source.created_at > source.submitted_at)
        assert review.locator is None
        assert review.raw["id"] == review.provider_review_id
        if source.product is None:
            assert review.product is None
        else:
            assert review.product is not None
            assert review.product.sku == source.product.sku
            assert review.product.provider_product_id == source.product.id
            assert review.product.gtin == source.product.gtin
            assert review.product.name == source.product.name
        if source.reply is None:
            assert review.reply is None
        else:
            assert review.reply is not None
            assert review.reply.body == source.reply.comment
            assert review.reply.created_at == source.reply.created_at
            assert review.reply.notify_customer is source.reply.send_notification
        assert len(review.media) == len(source.images)
        for media, image in zip(review.media, source.images, strict=True):
            assert media.type is MediaType.IMAGE
            assert media.url.endswith(f"{image.path}/original.{image.extension}")
            assert media.thumbnail_url is not None
            assert media.thumbnail_url.endswith(
                f"{image.path}/thumbnail.{image.extension}"
            )


async def test_list_reviews_for_skus_pushes_type_and_listed_skus_down(env: Env) -> None:
    client = env.client()
    skus = (ETRUSTED_SKUS[0], "NOT-IN-CATALOG", ETRUSTED_SKUS[3], ETRUSTED_SKUS[0])
    reviews, _ = await page_all(
        lambda p: client.list_reviews(ReviewQuery(skus=skus), p, limit=50), limit=50
    )
    wanted = [ETRUSTED_SKUS[0], ETRUSTED_SKUS[3]]
    assert [r.provider_review_id for r in reviews] == expected_ids(skus=wanted)
    query = query_of(env.api_calls("/reviews")[0])
    assert query["type"] == "PRODUCT_REVIEW"
    assert query["sku"] == ",".join(wanted)


async def test_list_reviews_of_unlisted_skus_costs_no_call(env: Env) -> None:
    client = env.client()
    page = await client.list_reviews(ReviewQuery(skus=("NOT-IN-CATALOG",)))
    assert page == Page(())
    assert await client.list_reviews(ReviewQuery(skus=())) == Page(())
    assert env.log() == []


async def test_list_reviews_shop_only_asks_for_service_reviews(env: Env) -> None:
    client = env.client()
    reviews, _ = await page_all(
        lambda p: client.list_reviews(ReviewQuery(shop=True), p, limit=1000),
        limit=1000,
    )
    assert [r.provider_review_id for r in reviews] == expected_ids(
        types=frozenset({"SERVICE_REVIEW"})
    )
    assert all(r.product is None for r in reviews)
    assert query_of(env.api_calls()[0])["type"] == "SERVICE_REVIEW"


async def test_list_reviews_maps_statuses_and_skips_those_etrusted_lacks(
    env: Env,
) -> None:
    client = env.client()
    query = ReviewQuery(
        statuses=frozenset(
            {ReviewStatus.PENDING, ReviewStatus.REJECTED, ReviewStatus.HIDDEN}
        )
    )
    reviews, _ = await page_all(
        lambda p: client.list_reviews(query, p, limit=1000), limit=1000
    )
    assert [r.provider_review_id for r in reviews] == expected_ids(
        states=frozenset({"MODERATION", "REJECTED"})
    )
    assert {r.status for r in reviews} == {ReviewStatus.PENDING, ReviewStatus.REJECTED}
    assert query_of(env.api_calls()[0])["status"] == "MODERATION,REJECTED"
    env.clear_log()
    archived = ReviewQuery(
        statuses=frozenset({ReviewStatus.ARCHIVED, ReviewStatus.HIDDEN})
    )
    assert await client.list_reviews(archived) == Page(())
    assert env.log() == []


async def test_list_reviews_applies_rating_language_and_dates_exactly(env: Env) -> None:
    client = env.client()
    after = datetime(2025, 6, 1, 0, 0, 0, 400, tzinfo=UTC)
    before = datetime(2026, 6, 1, 12, 30, 0, 1500, tzinfo=UTC)
    query = ReviewQuery(
        ratings=frozenset({1, 2}),
        language="de",
        created_after=after,
        created_before=before,
        statuses=frozenset({ReviewStatus.PUBLISHED, ReviewStatus.PENDING}),
    )
    reviews, _pages = await page_all(
        lambda p: client.list_reviews(query, p, limit=7), limit=7
    )

    def keep(r: SimReview) -> bool:
        return (
            r.rating is not None
            and stars(r.rating) in {1, 2}
            and r.locale.startswith("de_")
            and after < r.submitted_at < before
        )

    expected = expected_ids(states=frozenset({"APPROVED", "MODERATION"}), keep=keep)
    assert expected
    assert [r.provider_review_id for r in reviews] == expected
    first = query_of(env.api_calls()[0])
    assert first["rating"] == "1,2"
    assert first["submittedAfter"] == "2025-06-01T00:00:00.000Z"
    assert first["submittedBefore"] == "2026-06-01T12:30:00.002Z"
    assert first["count"] == "35"  # over-fetched: filters apply in the client


async def test_list_reviews_language_with_region_and_has_reply(env: Env) -> None:
    client = env.client()
    query = ReviewQuery(language="en-GB")
    reviews, _ = await page_all(
        lambda p: client.list_reviews(query, p, limit=100, has_reply=True), limit=100
    )
    assert [r.provider_review_id for r in reviews] == expected_ids(
        keep=lambda r: r.locale == "en_GB" and r.reply is not None
    )
    assert query_of(env.api_calls()[0])["hasReply"] == "true"


async def test_list_reviews_refuses_bad_limits_and_foreign_positions(env: Env) -> None:
    client = env.client()
    with pytest.raises(ValueError, match="limit"):
        await client.list_reviews(ReviewQuery(), limit=0)
    with pytest.raises(ValueError, match="limit"):
        await client.list_reviews(ReviewQuery(), limit=1001)
    with pytest.raises(InvalidInput):
        await client.list_reviews(ReviewQuery(), position="page:2")
    assert env.log() == []
    with pytest.raises(ProviderBadRequest):
        await client.list_reviews(
            ReviewQuery(), position=encode_position("rev-unknown")
        )


# -- reviews_by_keys -------------------------------------------------------------


async def test_reviews_by_keys_is_aligned_and_fetches_each_id_once(env: Env) -> None:
    client = env.client()
    a, b = expected_ids()[:2]
    statement = next(r.id for r in STORE.reviews if r.rating is None)
    keys = [
        ReviewKey(a),
        ReviewKey("rev-00000000-0000-4000-8000-000000000000"),
        ReviewKey(b),
        ReviewKey(a),
        ReviewKey(statement),
    ]
    found = await client.reviews_by_keys(keys)
    assert len(found) == 5
    first, missing, second, again, stated = found
    assert isinstance(first, Review)
    assert first.provider_review_id == a
    assert isinstance(second, Review)
    assert second.provider_review_id == b
    assert again == first
    assert missing is None
    assert stated is None
    paths = [e.path for e in env.api_calls()]
    assert sorted(paths) == sorted(
        f"/reviews/{k}" for k in {a, b, statement, keys[1].id}
    )
    # Single reads ask for every additional part, so raw is complete.
    extras = {query_of(e)["additionalInformation"] for e in env.api_calls()}
    assert extras == {"VETO,ATTACHMENTS,ORIGINAL_REVIEW"}


async def test_reviews_by_keys_outside_the_channel_set_are_none(env: Env) -> None:
    settings = replace(env.settings, channel_ids=(CREDS.channel_ids[0],))
    client = env.client(settings)
    inside = next(
        r.id for r in STORE.reviews if r.channel_id == CREDS.channel_ids[0] and r.rating
    )
    outside = next(
        r.id for r in STORE.reviews if r.channel_id == CREDS.channel_ids[1] and r.rating
    )
    found = await client.reviews_by_keys([ReviewKey(inside), ReviewKey(outside)])
    assert isinstance(found[0], Review)
    assert found[1] is None


async def test_reviews_by_keys_puts_each_failure_in_its_slot(env: Env) -> None:
    client = env.client()
    await client.channels()  # a token first, so the fault hits the reads
    env.faults(error_rate=1.0, error_status=503)
    found = await client.reviews_by_keys([ReviewKey("rev-a"), ReviewKey("rev-b")])
    assert all(isinstance(f, ProviderUnavailable) for f in found)


# -- summaries_by_sku ------------------------------------------------------------


def expected_summary(sku: str) -> tuple[int, float | None, StarDistribution]:
    ratings = [
        r.rating
        for r in STORE.reviews
        if r.product is not None
        and r.product.sku == sku
        and r.state == "APPROVED"
        and not r.is_statement
        and r.rating is not None
    ]
    counts = {n: sum(1 for x in ratings if stars(x) == n) for n in range(1, 6)}
    average = round(fmean(ratings), 2) if ratings else None
    return len(ratings), average, StarDistribution.of(counts)


async def test_summaries_by_sku_buckets_one_sku_list_paged_to_the_end(env: Env) -> None:
    client = env.client()
    all_catalog = [entry.sku for entry in env.catalog]
    skus = [*all_catalog, "NOT-IN-CATALOG", all_catalog[0]]
    summaries = await client.summaries_by_sku(skus)
    assert len(summaries) == len(skus)
    for sku, summary in zip(skus, summaries, strict=True):
        assert not isinstance(summary, ProviderError)
        assert summary.provider is Provider.ETRUSTED
        assert summary.sku == sku
        count, average, distribution = expected_summary(sku)
        assert (summary.count, summary.average, summary.distribution) == (
            count,
            average,
            distribution,
        )
    reviews = sum(expected_summary(sku)[0] for sku in all_catalog)
    calls = env.api_calls("/reviews")
    assert len(calls) == math.ceil(reviews / 1000)  # not one call per SKU
    query = query_of(calls[0])
    assert query["type"] == "PRODUCT_REVIEW"
    assert query["status"] == "APPROVED"
    assert query["count"] == "1000"
    assert "NOT-IN-CATALOG" not in query["sku"]


async def test_summaries_by_sku_chunks_long_sku_lists(env: Env) -> None:
    client = env.client(catalog=())  # no catalog: every SKU is asked for
    skus = [f"UNKNOWN-SKU-{n:06d}-LONG" for n in range(300)]
    summaries = await client.summaries_by_sku([*skus, ETRUSTED_SKUS[0]])
    chunks = chunk_skus([*skus, ETRUSTED_SKUS[0]], SKU_CHUNK_CHARS)
    assert len(chunks) > 1
    assert len(env.api_calls("/reviews")) == len(chunks)
    assert all(
        not isinstance(s, ProviderError) and s.count == 0 for s in summaries[:-1]
    )
    last = summaries[-1]
    assert not isinstance(last, ProviderError)
    assert last.count == expected_summary(ETRUSTED_SKUS[0])[0]


async def test_summaries_by_sku_unlisted_skus_cost_no_call_and_failures_fill_slots(
    env: Env,
) -> None:
    client = env.client()
    zero = await client.summaries_by_sku(["NOT-IN-CATALOG"])
    assert env.log() == []
    assert not isinstance(zero[0], ProviderError)
    assert (zero[0].count, zero[0].average) == (0, None)
    env.faults(error_rate=1.0, error_status=502)
    failed = await client.summaries_by_sku([ETRUSTED_SKUS[0], "NOT-IN-CATALOG"])
    assert isinstance(failed[0], ProviderUnavailable)
    assert not isinstance(failed[1], ProviderError)
    assert failed[1].count == 0


# -- counts, minimal list ----------------------------------------------------------


async def test_count_reviews_matches_the_simulator(env: Env) -> None:
    client = env.client()
    assert await client.count_reviews(ReviewQuery()) == len(expected_ids())
    five = ReviewQuery(ratings=frozenset({5}), skus=(ETRUSTED_SKUS[1],))
    assert await client.count_reviews(five) == len(
        expected_ids(skus=[ETRUSTED_SKUS[1]], keep=lambda r: r.rating == 5.0)
    )
    assert query_of(env.api_calls("/reviews/count")[1])["rating"] == "5"
    replied = await client.count_reviews(ReviewQuery(), has_reply=False)
    assert replied == len(expected_ids(keep=lambda r: r.reply is None))
    with pytest.raises(ValueError, match="language"):
        await client.count_reviews(ReviewQuery(language="de"))


async def test_list_minimal_reviews_pages_to_the_end(env: Env) -> None:
    client = env.client()
    query = ReviewQuery(statuses=frozenset(ReviewStatus))
    reviews, _ = await page_all(
        lambda p: client.list_minimal_reviews(query, p, limit=1000), limit=1000
    )
    assert [r.provider_review_id for r in reviews] == expected_ids(states=ALL_STATES)
    assert all(r.author.display_name == "Anonymous" for r in reviews)
    assert {e.path for e in env.api_calls()} == {"/reviews-minimal"}
    with pytest.raises(ValueError, match="SKU"):
        await client.list_minimal_reviews(ReviewQuery(skus=("X",)))


# -- writes ----------------------------------------------------------------------


async def test_save_and_delete_reply(env: Env) -> None:
    client = env.client()
    target = next(r for r in STORE.reviews if r.state == "APPROVED" and r.reply is None)
    reply = await client.save_reply(target.id, "Thank you!", notify_customer=True)
    assert reply.body == "Thank you!"
    assert reply.notify_customer is True
    assert reply.created_at == env.clock.now()
    fetched = await client.review(target.id)
    assert fetched is not None
    assert fetched.reply == reply
    post = env.api_calls(f"/reviews/{target.id}/reply")[0]
    assert post.method == "POST"
    await client.delete_reply(target.id)
    fetched = await client.review(target.id)
    assert fetched is not None
    assert fetched.reply is None
    with pytest.raises(ProviderNotFound):
        await client.delete_reply(target.id)
    rejected = next(r for r in STORE.reviews if r.state == "REJECTED")
    with pytest.raises(ProviderBadRequest):
        await client.save_reply(rejected.id, "No.")


async def test_create_and_get_veto(env: Env) -> None:
    client = env.client()
    target = next(r for r in STORE.reviews if r.veto is None and r.rating)
    assert await client.veto(target.id) is None
    report = await client.create_veto(
        target.id,
        reason="INAPPROPRIATE_IMAGE",
        comment="Not a product photo.",
        reporter_email="merchant@sandbox-shop.example",
    )
    assert report.id.startswith("vet-")
    assert report.reason == "INAPPROPRIATE_IMAGE"
    assert report.ticket_id is not None
    assert len(report.ticket_id) == 6
    assert report.created_at == env.clock.now()
    assert await client.veto(target.id) == report
    with pytest.raises(ProviderBadRequest):
        await client.create_veto(
            target.id, reason="ABUSIVE", comment="again", reporter_email="m@x.example"
        )
    other = next(r for r in STORE.reviews if r.veto is None and r.id != target.id)
    with pytest.raises(ProviderBadRequest):  # the new endpoint wants the e-mail
        await client.create_veto(other.id, reason="ABUSIVE", comment="rude")
    with pytest.raises(ValueError, match="reason"):
        await client.create_veto(other.id, reason="BORING", comment="meh")
    vetoed = next(r for r in STORE.reviews if r.veto is not None)
    existing = await client.veto(vetoed.id)
    assert existing is not None
    assert vetoed.veto is not None
    assert (existing.id, existing.ticket_id) == (vetoed.veto.id, vetoed.veto.ticket_id)


# -- channels and service ratings --------------------------------------------------


async def test_channels(env: Env) -> None:
    channels = await env.client().channels()
    assert [(c.id, c.name) for c in channels] == [
        (c.id, c.name) for c in STORE.channels
    ]


async def test_service_ratings_per_channel_and_period(env: Env) -> None:
    client = env.client()
    channel = CREDS.channel_ids[1]
    expected = aggregate_json(
        STORE.reviews, channel, env.clock.now(), distribution=True
    )
    ratings = await client.service_ratings(channel)
    assert set(ratings) == {"7days", "30days", "90days", "365days", "overall"}
    for name, summary in ratings.items():
        period = expected[name]
        assert summary.sku is None
        assert summary.count == period["count"]
        assert summary.average == (period["rating"] if period["count"] else None)
        assert summary.distribution.total == period["count"]
    default = await client.service_rating(channel)
    assert default == ratings["365days"]
    assert default.count > 0
    with pytest.raises(ValueError, match="period"):
        await client.service_rating(channel, "1day")
    with pytest.raises(ProviderAuthError):  # a channel of another account: 403
        await client.service_rating("chl-00000000-0000-4000-8000-000000000000")


# -- the deprecated customer-reviews family ----------------------------------------


async def test_customer_reviews_filter_skus_in_the_client(env: Env) -> None:
    client = env.client()
    channel = CREDS.channel_ids[0]
    query = ReviewQuery(skus=(ETRUSTED_SKUS[2],))
    reviews, _ = await page_all(
        lambda p: client.customer_reviews(channel, query, p, limit=10), limit=10
    )
    assert [r.provider_review_id for r in reviews] == expected_ids(
        channels=[channel], skus=[ETRUSTED_SKUS[2]]
    )
    calls = env.api_calls(f"/channels/{channel}/customer-reviews")
    assert calls
    assert "sku" not in query_of(calls[0])
    assert query_of(calls[0])["type"] == "PRODUCT_REVIEW"


async def test_customer_review_and_its_veto(env: Env) -> None:
    client = env.client()
    channel, other = CREDS.channel_ids
    review = next(
        r
        for r in STORE.reviews
        if r.channel_id == channel and r.rating and r.veto is None
    )
    found = await client.customer_review(channel, review.id)
    assert found is not None
    assert found.provider_review_id == review.id
    assert await client.customer_review(other, review.id) is None
    report = await client.create_customer_review_veto(
        channel,
        review.id,
        reason="UNTRUTHFUL",
        comment="Never ordered.",
        channel_name="DE",
    )
    assert report.reason == "UNTRUTHFUL"
    refetched = await client.review(review.id)
    assert refetched is not None
    veto = refetched.raw["additionalInformation"]["veto"]  # type: ignore[index]
    assert veto["ticketId"] == report.ticket_id


# -- auth --------------------------------------------------------------------------


async def test_token_is_cached_then_renewed_shortly_before_expiry(env: Env) -> None:
    client = env.client()
    await client.channels()
    await client.channels()
    assert len(env.token_calls()) == 1
    env.clock.advance(260)
    await client.channels()
    assert len(env.token_calls()) == 1
    env.clock.advance(15)  # within 30 s of the 300 s lifetime
    await client.channels()
    assert len(env.token_calls()) == 2
    env.clock.advance(301)  # long expired
    await client.channels()
    assert len(env.token_calls()) == 3
    assert all(e.status == 200 for e in env.log())
    token = env.token_calls()[0]
    assert token.method == "POST"


async def test_concurrent_callers_share_one_token_request(env: Env) -> None:
    client = env.client()
    await asyncio.gather(*(client.channels() for _ in range(5)))
    assert len(env.token_calls()) == 1
    assert len(env.api_calls("/channels")) == 5


async def test_a_401_causes_one_reauthentication_and_one_replay(env: Env) -> None:
    client = env.client(monotonic=lambda: 0.0)  # the client never sees time pass
    await client.channels()
    env.clock.advance(400)  # the simulator's token book expires the token
    env.clear_log()
    channels = await client.channels()
    assert len(channels) == 2
    assert [(e.path, e.status) for e in env.log()] == [
        ("/channels", 401),
        (TOKEN_PATH, 200),
        ("/channels", 200),
    ]


async def test_concurrent_401s_share_one_reauthentication(env: Env) -> None:
    client = env.client(monotonic=lambda: 0.0)
    await client.channels()
    env.clock.advance(400)
    env.clear_log()
    await asyncio.gather(*(client.channels() for _ in range(4)))
    assert len(env.token_calls()) == 1
    assert [e.status for e in env.api_calls()].count(401) == 4


async def test_a_401_after_reauthentication_is_an_auth_error(env: Env) -> None:
    client = env.client()
    await client.channels()
    env.clear_log()
    env.faults(error_rate=1.0, error_status=401)
    with pytest.raises(ProviderAuthError):
        await client.channels()
    assert [(e.path, e.status) for e in env.log()] == [
        ("/channels", 401),
        (TOKEN_PATH, 401),
    ]


async def test_bad_credentials_are_an_auth_error_without_the_secret(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "wrong-etrusted-secret-value"
    client = env.client(replace(env.settings, client_secret=Secret(secret)))
    with pytest.raises(ProviderAuthError) as caught:
        await client.list_reviews(ReviewQuery())
    error = caught.value
    assert error.http_status == 401
    texts = [
        str(error),
        repr(error),
        repr(error.args),
        str(error.extensions),
        repr(client),
    ]
    texts += [r.getMessage() + repr(r.__dict__) for r in caplog.records]
    for text in texts:
        assert secret not in text
        assert CREDS.client_secret not in text
    assert env.api_calls() == []
    # The real secret is not leaked either once a call succeeds and fails.
    good = env.client()
    env.faults(error_rate=1.0, error_status=500)
    with pytest.raises(ProviderUnavailable) as failed:
        await good.channels()
    assert CREDS.client_secret not in str(failed.value) + repr(failed.value)


async def test_concurrent_callers_share_a_failed_token_request(env: Env) -> None:
    client = env.client()
    env.faults(error_rate=1.0, error_status=503)
    results = await asyncio.gather(
        *(client.channels() for _ in range(4)), return_exceptions=True
    )
    assert all(isinstance(r, ProviderUnavailable) for r in results)
    assert len(env.token_calls()) == 1
    env.faults()
    assert len(await client.channels()) == 2  # a later caller tries again


async def test_a_token_host_refusing_with_400_is_an_auth_error(env: Env) -> None:
    env.faults(error_rate=1.0, error_status=400)
    with pytest.raises(ProviderAuthError) as caught:
        await env.client().channels()
    assert caught.value.http_status == 400


# -- transport errors ----------------------------------------------------------------


async def test_server_errors_are_unavailable(env: Env) -> None:
    env.faults(error_rate=1.0, error_status=503)
    with pytest.raises(ProviderUnavailable) as caught:
        await env.client().list_reviews(ReviewQuery())
    assert caught.value.http_status == 503


async def test_rate_limit_carries_retry_after(env: Env) -> None:
    client = env.client()
    env.faults(rate_limit_per_minute=2)
    await client.channels()  # the token and one call use up the minute
    with pytest.raises(ProviderRateLimited) as caught:
        await client.channels()
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0


async def test_a_hung_call_times_out(env: Env) -> None:
    settings = replace(env.settings, timeout_s=0.2)
    async with open_session(settings) as session:
        client = env.client(settings, session=session)
        await client.channels()
        env.faults(timeout_rate=1.0)
        with pytest.raises(ProviderTimeout):
            await client.channels()


async def test_a_malformed_body_is_a_payload_error(env: Env) -> None:
    client = env.client()
    await client.channels()
    env.faults(malformed_rate=1.0)
    with pytest.raises(ProviderPayloadError):
        await client.list_reviews(ReviewQuery())


async def test_a_closed_port_is_unavailable(env: Env) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    settings = replace(
        env.settings, base_url=base + "/", token_url=base + "/oauth/token"
    )
    async with open_session(settings) as session:
        with pytest.raises(ProviderUnavailable):
            await env.client(settings, session=session).channels()


async def test_a_foreign_channel_is_forbidden_without_a_replay(env: Env) -> None:
    settings = replace(
        env.settings, channel_ids=("chl-00000000-0000-4000-8000-000000000000",)
    )
    client = env.client(settings)
    with pytest.raises(ProviderAuthError) as caught:
        await client.list_reviews(ReviewQuery())
    assert caught.value.http_status == 403
    assert [e.status for e in env.api_calls()] == [403]
    assert len(env.token_calls()) == 1


# -- mapping on the seed's samples ---------------------------------------------------


def test_to_review_maps_the_seed_sample() -> None:
    review = to_review(sample("review-full.json"))
    assert review.provider_review_id == "rev-xxxxxxxx-yyyy-xxxx-yyyy-xxxxxxxxxxxx"
    assert review.rating_exact == 4.5
    assert review.rating == 5
    assert review.status is ReviewStatus.PUBLISHED
    assert review.created_at == datetime(2018, 2, 1, 17, 9, 41, 790000, tzinfo=UTC)
    assert review.imported is False
    assert review.verified is True
    assert review.author.display_name == "John D."
    assert review.author.country == "GB"
    assert review.language == "en"
    assert review.customer is not None
    assert review.customer.name == "John Doe"
    assert review.customer.email == "john.doe@example.com"
    assert review.customer.phone == "+123456789"
    assert review.customer.order_reference == "ORDER-12792"
    assert review.product is not None
    assert review.product.gtin == "1234567890123"  # a number in the sample
    assert review.product.sku == "1234-TS-WH-M"
    assert (
        review.product.provider_product_id == "prt-xxxxxxxx-yyyy-xxxx-yyyy-xxxxxxxxxxxx"
    )
    assert review.reply is not None
    assert review.reply.body == "We appreciate your feedback."
    assert review.reply.notify_customer is False
    (media,) = review.media
    assert media.url.startswith("https://attachments.etrusted.koeln/attachments/")
    assert media.thumbnail_url == (
        "https://attachments.etrusted.koeln/attachments/id/more/directories/image.png"
    )
    assert review.raw["_object"] == "CustomerReview"


def test_to_review_with_optional_fields_missing() -> None:
    review = to_review(sample("review-optional-missing.json"))
    assert review.status is ReviewStatus.PENDING
    assert review.author.display_name == "Anonymous"
    assert review.author.country is None
    assert (review.customer, review.product, review.reply, review.media) == (
        None,
        None,
        None,
        (),
    )
    assert review.verified is None
    assert review.imported is False
    assert review.language is None
    assert review.updated_at is None


def test_to_review_marks_imports_and_unverified_reviews() -> None:
    raw = sample("review-full.json")
    raw["createdAt"] = "2018-03-01T10:00:00.000Z"
    raw["verificationType"] = "UNDEFINED"
    del raw["customer"]["lastName"]
    review = to_review(raw)
    assert review.imported is True
    assert review.verified is False
    assert review.author.display_name == "John"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.pop("id"), "review.id"),
        (lambda r: r.pop("submittedAt"), "submittedAt"),
        (lambda r: r.update(state="ARCHIVED"), "state"),
        (lambda r: r.update(rating="5"), "rating"),
        (lambda r: r.update(rating=7.0), "rating"),
        (lambda r: r.update(submittedAt="yesterday"), "submittedAt"),
        (lambda r: r["reply"].pop("comment"), "reply.comment"),
        (lambda r: r["product"].update(gtin=[1]), "gtin"),
        (
            lambda r: r["additionalInformation"]["attachments"].update(images={}),
            "images",
        ),
    ],
)
def test_to_review_drift_is_a_payload_error(
    change: Callable[[dict[str, Any]], object], message: str
) -> None:
    raw = sample("review-full.json")
    change(raw)
    with pytest.raises(ProviderPayloadError, match=message) as caught:
        to_review(raw)
    assert caught.value.provider == "etrusted"


def test_the_seed_samples_are_statements_without_a_rating() -> None:
    raw = sample("seed-review.json")  # rating null, enums rendered as {}
    assert has_rating(raw) is False
    with pytest.raises(ProviderPayloadError):
        to_review(raw)
    listing = to_review_list(sample("seed-review-list.json"))
    assert listing.has_next is True
    assert len(listing.items) == 1
    last = copy.deepcopy(sample("seed-review-list.json"))
    del last["paging"]["cursor"]["after"]
    assert to_review_list(last).has_next is False
    with pytest.raises(ProviderPayloadError):
        to_review_list({"paging": {}, "items": {}})


def test_to_report_and_to_reply_map_the_seed_samples() -> None:
    report = to_report(sample("seed-veto.json"))
    assert (report.id, report.ticket_id, report.reason) == (
        "vet-xxxxxxxx-yyyy-xxxx-yyyy-xxxxxxxxxxxx",
        "123123",
        "UNTRUTHFUL",
    )
    assert report.created_at == datetime(2018, 2, 1, 17, 9, 41, 790000, tzinfo=UTC)
    reply = to_reply(sample("seed-review.json")["reply"])
    assert reply.updated_at == datetime(2018, 2, 1, 17, 11, 33, 121000, tzinfo=UTC)
    with pytest.raises(ProviderPayloadError):
        to_report({"ticketId": "1"})


def test_service_ratings_without_distribution_or_reviews() -> None:
    ratings = to_service_ratings(
        {"365days": {"count": 0, "rating": 0}, "overall": {"count": 2, "rating": 4.5}}
    )
    assert ratings["365days"].average is None
    assert ratings["overall"].average == 4.5
    assert ratings["overall"].distribution == StarDistribution()
    with pytest.raises(ProviderPayloadError):
        to_service_ratings({"overall": {"rating": 4.5}})


def test_stars_round_half_up() -> None:
    assert [stars(x) for x in (1.0, 1.49, 1.5, 2.5, 4.5, 5.0)] == [1, 1, 2, 3, 5, 5]


def test_timestamps_are_utc() -> None:
    raw = sample("review-full.json")
    raw["submittedAt"] = "2018-02-01T18:09:41.790+01:00"
    review = to_review(raw)
    assert review.created_at == datetime(2018, 2, 1, 17, 9, 41, 790000, tzinfo=UTC)
    assert review.created_at.utcoffset() == timedelta(0)


async def test_the_simulators_alternative_choices_map_alike(clock: FakeClock) -> None:
    choices = SimSettings(
        reply_save_status=204,
        gtin_as_number=True,
        omit_empty_cursor=False,
        count_alias=False,
    )
    async with run_simulators(
        providers={"etrusted"}, clock=clock.now, settings={"etrusted": choices}
    ) as running:
        settings = sandbox_settings(running)
        assert settings.etrusted is not None
        async with open_session(settings.etrusted) as session:
            client = EtrustedClient(
                settings.etrusted,
                session,
                catalog=settings.catalog,
                monotonic=clock.monotonic,
            )
            sku = ETRUSTED_SKUS[0]
            reviews, _ = await page_all(
                lambda p: client.list_reviews(ReviewQuery(skus=(sku,)), p, limit=1000),
                limit=1000,
            )
            assert [r.provider_review_id for r in reviews] == expected_ids(skus=[sku])
            product = reviews[0].product
            assert product is not None
            assert product.gtin == CATALOG.by_sku(sku).gtin  # type: ignore[union-attr]
            assert await client.count_reviews(ReviewQuery()) == len(expected_ids())
            reply = await client.save_reply(reviews[0].provider_review_id, "Thanks")
            assert reply.body == "Thanks"
            assert reply.notify_customer is False


async def test_list_reviews_by_update_is_most_recently_updated_first(env: Env) -> None:
    """The sync's incremental order (``orderBy=updatedAt``): an edit comes first."""
    client = env.client()
    every = ReviewQuery(statuses=frozenset(ReviewStatus))
    by_date = await client.list_reviews(every, None, 100)
    old = next(r for r in reversed(by_date.items) if r.status is ReviewStatus.PUBLISHED)
    env.clock.advance(60)
    await client.save_reply(old.provider_review_id, "Thank you!")
    env.clear_log()
    first = await client.list_reviews(every, None, 50, by_update=True)
    assert first.items[0].provider_review_id == old.provider_review_id
    assert first.next is not None
    second = await client.list_reviews(every, first.next, 50, by_update=True)
    stamps = [r.updated_at or r.created_at for r in (*first.items, *second.items)]
    assert stamps == sorted(stamps, reverse=True)
    assert {r.provider_review_id for r in first.items}.isdisjoint(
        r.provider_review_id for r in second.items
    )
    calls = env.api_calls("/reviews")
    assert [query_of(c)["orderBy"] for c in calls] == ["updatedAt", "updatedAt"]
