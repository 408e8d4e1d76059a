"""Issue 10's "done when", end to end: a real gateway syncing a real sandbox.

Each test starts the sandbox and a gateway (uvicorn) with the review index on a
SQLite file, waits for every platform's backfill, and then talks to both over HTTP
only: GraphQL to the gateway, the sandbox's control routes to make customers act
upstream, and the sandbox's request log to count what the gateway asked for.
"""

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from gateway.app import create_app
from gateway.config import Settings, StoreSettings, SyncSettings
from gateway.metrics import Metrics
from gateway.records import Review, ReviewQuery
from gateway.sandbox import sandbox_settings
from resolvers.filters import ReviewOrder, sort_key
from sandbox.mayar import MayarSettings as SimulatedMayar
from sandbox.server import RunningSandbox, run_simulators
from tests.graph.conftest import serve_app
from tests.system.clients import clients_of

PROVIDERS = ("TRUSTPILOT", "ETRUSTED", "TRUSTOO", "MAYAR")
FAST_MAYAR = {"mayar": SimulatedMayar(rate_limit_per_minute=600)}
"""Mayar's documented 20 a minute makes a backfill take 90 s: too long for a test
(bench/ measures that one); 600 keeps it a limit the sync must respect."""
SYNC_STATE = "{ providers { provider sync { state reviews lagSeconds budgetUsed } } }"
PRODUCT_PAGE = """
query Product($sku: String!) {
  product(sku: $sku) {
    name brand
    ratingSummary {
      count average complete
      distribution { oneStar twoStars threeStars fourStars fiveStars }
      providers { provider count average }
    }
    reviews(first: 20, orderBy: NEWEST) {
      totalCount
      edges { node { id provider kind rating ratingExact title body language
                     createdAt author { displayName country } media { type url }
                     reply { body } conversation { state comments { body
                     author { type } } } } }
      pageInfo { hasNextPage endCursor }
    }
    attributeSummaries { name average count }
  }
}
"""
CATALOG_PAGE = """
query Catalog($skus: [String!]!) {
  products(skus: $skus) {
    sku name
    ratingSummary { count average }
    reviews(first: 3) { edges { node { id provider rating title body createdAt } } }
  }
}
"""
WALK = """
query Walk($order: ReviewOrder!, $after: String) {
  reviews(first: 100, after: $after, orderBy: $order,
          filter: { kinds: [PRODUCT, SHOP] }) {
    totalCount
    edges { node { provider providerReviewId } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Indexed:
    """A gateway with the review index on, and the sandbox it syncs."""

    url: str
    sandbox: RunningSandbox
    http: aiohttp.ClientSession

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        async with self.http.post(
            self.url + "/graphql", json={"query": query, "variables": variables or {}}
        ) as response:
            body = await response.json()
        assert response.status == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def states(self) -> dict[str, dict[str, Any]]:
        data = await self.data(SYNC_STATE)
        return {p["provider"]: p["sync"] for p in data["providers"]}

    async def until_live(self, timeout_s: float = 60.0) -> float:
        """Seconds until every platform's sync is LIVE."""
        started = time.monotonic()
        while True:
            states = await self.states()
            if all(states[p]["state"] == "LIVE" for p in PROVIDERS):
                return time.monotonic() - started
            assert time.monotonic() - started < timeout_s, states
            await asyncio.sleep(0.1)

    async def act(self, **activity: Any) -> dict[str, Any]:
        """Make a customer (or the platform) act upstream, through the sandbox."""
        async with self.http.post(
            self.sandbox.base_url + "/_sandbox/activity", json=activity
        ) as response:
            body = await response.json()
        assert response.status == 200, body
        return dict(body)

    def calls(self) -> list[Any]:
        return self.sandbox.log.entries(None)


def _settings(running: RunningSandbox, store: Path, url: str, **sync: Any) -> Settings:
    # Trustoo documents no limit: the sync assumes 120 calls a minute, which makes
    # its backfill (58 calls) take a minute at a 50 % share. Tests assume more.
    options = {
        "interval_s": 0.5,
        "reconcile_interval_s": 3.0,
        "public_url": url,
        "assumed_calls_per_minute": 1200,
    }
    return sandbox_settings(
        running,
        store=StoreSettings(path=str(store)),
        sync=SyncSettings(**{**options, **sync}),
    )


@asynccontextmanager
async def _gateway(
    http: aiohttp.ClientSession, running: RunningSandbox, store: Path, **sync: Any
) -> AsyncIterator[Indexed]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    async with serve_app(create_app(_settings(running, store, url, **sync)), port):
        yield Indexed(url, running, http)


@asynccontextmanager
async def _indexed(
    http: aiohttp.ClientSession, store: Path, **sync: Any
) -> AsyncIterator[Indexed]:
    async with (
        run_simulators(settings=FAST_MAYAR) as running,
        _gateway(http, running, store, **sync) as gateway,
    ):
        await gateway.until_live()
        yield gateway


async def _published(seed_twin: RunningSandbox) -> list[Review]:
    """Every published review of every platform, read from a twin sandbox directly."""
    reviews: list[Review] = []
    query = ReviewQuery()
    async with clients_of(seed_twin, Metrics()) as clients:
        for client in clients.values():
            position: str | None = None
            while True:
                page = await client.list_reviews(query, position, 100)
                reviews.extend(page.items)
                if page.next is None:
                    break
                position = page.next
    return reviews


def _ids(reviews: Iterable[Review]) -> list[tuple[str, str]]:
    return [(r.provider.name, r.provider_review_id) for r in reviews]


async def _walk(gateway: Indexed, order: str) -> tuple[list[tuple[str, str]], int]:
    seen: list[tuple[str, str]] = []
    after: str | None = None
    total = -1
    while True:
        data = await gateway.data(WALK, {"order": order, "after": after})
        page = data["reviews"]
        total = page["totalCount"]
        seen += [
            (e["node"]["provider"], e["node"]["providerReviewId"])
            for e in page["edges"]
        ]
        if not page["pageInfo"]["hasNextPage"]:
            return seen, total
        after = page["pageInfo"]["endCursor"]


async def test_after_the_backfill_page_views_make_no_upstream_call(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    # Intervals beyond the test: once LIVE, any call in the log is a page view's.
    async with _indexed(
        http, tmp_path / "index.sqlite3", interval_s=600, reconcile_interval_s=600
    ) as gateway:
        skus = [p.sku for p in gateway.sandbox.catalog.products[:40]]
        gateway.sandbox.log.clear()
        first = await gateway.data(PRODUCT_PAGE, {"sku": skus[0]})
        review_id = first["product"]["reviews"]["edges"][0]["node"]["id"]
        for sku in skus[:10]:
            await gateway.data(PRODUCT_PAGE, {"sku": sku})
        for _ in range(5):
            await gateway.data(CATALOG_PAGE, {"skus": skus})
        await gateway.data(
            "query($id: ID!) { review(id: $id) { rating } node(id: $id) { id } }",
            {"id": review_id},
        )
        await gateway.data(
            "{ shopRatingSummary { count average } "
            "reviews(first: 20, filter: { kinds: [SHOP] }) { totalCount } }"
        )
        assert [(e.provider, e.path) for e in gateway.calls()] == []


async def test_the_backfill_stays_within_every_limit(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    async with _indexed(http, tmp_path / "index.sqlite3") as gateway:
        calls = gateway.calls()
    assert calls, "the backfill read the platforms"
    assert [e for e in calls if e.status == 429] == []


@pytest.mark.parametrize("order", ["NEWEST", "OLDEST", "HIGHEST_RATED", "LOWEST_RATED"])
async def test_every_order_walked_to_the_end_is_exactly_the_platforms_reviews(
    http: aiohttp.ClientSession, tmp_path: Path, order: str
) -> None:
    async with run_simulators() as twin:
        expected = await _published(twin)
    key = sort_key(ReviewOrder[order])
    async with _indexed(http, tmp_path / "index.sqlite3") as gateway:
        walked, total = await _walk(gateway, order)
    assert total == len(expected)
    assert walked == _ids(sorted(expected, key=key))


async def test_summaries_equal_the_platforms_reviews_exactly(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    async with run_simulators() as twin:
        expected = await _published(twin)
    async with _indexed(http, tmp_path / "index.sqlite3") as gateway:
        skus = [p.sku for p in gateway.sandbox.catalog.products]
        for sku in skus[:48]:
            data = await gateway.data(
                "query($sku: String!) { product(sku: $sku) { ratingSummary {"
                " count average providers { provider count average"
                " distribution { oneStar twoStars threeStars fourStars fiveStars }"
                " } } } }",
                {"sku": sku},
            )
            summary = data["product"]["ratingSummary"]
            mine = [
                r
                for r in expected
                if r.product is not None
                and r.product.sku == sku
                and r.kind.value == "product"
            ]
            assert summary["count"] == len(mine)
            for part in summary["providers"]:
                theirs = [r for r in mine if r.provider.name == part["provider"]]
                assert part["count"] == len(theirs)
                stars = [sum(1 for r in theirs if r.rating == s) for s in range(1, 6)]
                assert list(part["distribution"].values()) == stars
                if theirs:
                    exact = sum(r.rating_exact for r in theirs) / len(theirs)
                    assert part["average"] == pytest.approx(exact, abs=0.005)


async def _until(check: Any, timeout_s: float) -> float:
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < timeout_s, "not within the time allowed"
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def _listed(gateway: Indexed, sku: str, review_id: str) -> bool:
    data = await gateway.data(
        "query($sku: String!) { product(sku: $sku) { reviews(first: 100) {"
        " edges { node { providerReviewId } } } } }",
        {"sku": sku},
    )
    edges = data["product"]["reviews"]["edges"]
    return any(e["node"]["providerReviewId"] == review_id for e in edges)


async def test_trustoo_changes_arrive_through_webhooks_within_five_seconds(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    # A sync interval far beyond the test: only the webhooks can bring the change.
    async with _indexed(
        http, tmp_path / "index.sqlite3", interval_s=600, reconcile_interval_s=600
    ) as gateway:
        sku = next(
            p.sku for p in gateway.sandbox.catalog.products if p.trustoo_product_id
        )
        created = await gateway.act(
            provider="trustoo",
            action="create",
            sku=sku,
            rating=5,
            title="Webhook fresh",
            body="Arrived by webhook",
        )
        review_id = str(created["reviewId"])

        async def shown() -> bool:
            return await _listed(gateway, sku, review_id)

        assert await _until(shown, 5.0) < 5.0
        await gateway.act(provider="trustoo", action="delete", reviewId=review_id)

        async def gone() -> bool:
            return not await _listed(gateway, sku, review_id)

        assert await _until(gone, 5.0) < 5.0


@pytest.mark.parametrize(
    ("provider", "unpublished"),
    [("trustpilot", "hidden"), ("etrusted", "rejected"), ("mayar", "hidden")],
)
async def test_other_platforms_changes_arrive_within_the_sync_interval(
    http: aiohttp.ClientSession, tmp_path: Path, provider: str, unpublished: str
) -> None:
    async with _indexed(http, tmp_path / "index.sqlite3") as gateway:
        sku = next(
            p.sku for p in gateway.sandbox.catalog.products if p.listed_on(provider)
        )
        created = await gateway.act(
            provider=provider,
            action="create",
            sku=sku,
            rating=2,
            title="Fresh upstream",
            body="Written a moment ago",
        )
        review_id = str(created["reviewId"])

        async def shown() -> bool:
            return await _listed(gateway, sku, review_id)

        await _until(shown, 10.0)
        await gateway.act(
            provider=provider, action="status", reviewId=review_id, status=unpublished
        )

        async def hidden() -> bool:
            return not await _listed(gateway, sku, review_id)

        # Hidden upstream: an anonymous caller no longer sees it, within the
        # interval (an edit of status is caught by the reconcile at the latest).
        await _until(hidden, 10.0)


async def test_a_restarted_gateway_serves_at_once_and_does_not_backfill_again(
    http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    store = tmp_path / "index.sqlite3"
    async with run_simulators(settings=FAST_MAYAR) as running:
        async with _gateway(http, running, store) as first:
            await first.until_live()
        backfill_calls = len(running.log.entries(None))
        running.log.clear()
        async with _gateway(http, running, store, interval_s=600) as second:
            states = await second.states()
            assert {states[p]["state"] for p in PROVIDERS} <= {"LIVE"}, states
            sku = running.catalog.products[0].sku
            await second.data(PRODUCT_PAGE, {"sku": sku})
            await asyncio.sleep(1.0)
        again = len(running.log.entries(None))
    # One incremental read per platform (a page or two), not a second walk.
    assert again < backfill_calls / 10, (again, backfill_calls)
