"""Every order, walked to the end in small pages, equals the same list read live.

The live lists come from a second gateway without an index on the same sandbox
(today's reads: each platform's pages merged and sorted in the gateway).
"""

import asyncio
from typing import Any

import pytest

from gateway.records import Provider
from tests.graph.conftest import SERVER_KEY, Gateway
from tests.index.conftest import Indexed

pytestmark = pytest.mark.asyncio(loop_scope="session")

ORDERS = ("NEWEST", "OLDEST", "HIGHEST_RATED", "LOWEST_RATED", "MOST_RECENTLY_UPDATED")
LIVE_PAGE = 100

PRODUCT_LIST = """
query List($sku: String!, $first: Int!, $after: String, $order: ReviewOrder!,
           $filter: ReviewFilter) {
  product(sku: $sku) {
    reviews(first: $first, after: $after, orderBy: $order, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id } }
    }
  }
}
"""

SHOP_LIST = """
query List($first: Int!, $after: String, $order: ReviewOrder!, $filter: ReviewFilter) {
  reviews(first: $first, after: $after, orderBy: $order, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id } }
  }
}
"""


async def walk(
    gateway: Gateway,
    query: str,
    variables: dict[str, Any],
    *,
    key: str | None = None,
    after: str | None = None,
) -> tuple[list[str], int | None]:
    """Every id of a list (after ``after``), page after page, and the first
    page's totalCount."""
    ids: list[str] = []
    total: int | None = None
    for page_number in range(10_000):
        data = await gateway.data(query, {**variables, "after": after}, key=key)
        connection = (
            data["product"]["reviews"] if "product" in data else data["reviews"]
        )
        if page_number == 0:
            total = connection["totalCount"]
        ids += [e["node"]["id"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return ids, total
        after = connection["pageInfo"]["endCursor"]
    raise AssertionError("the list never ended")


async def same_as_live(
    running: Indexed,
    query: str,
    variables: dict[str, Any],
    *,
    key: str | None = None,
    exact: bool = True,
) -> int:
    """Walk the list indexed (``first`` as given) and live; they must be equal.

    ``exact``: the indexed list's totalCount is its length (every platform indexed).
    """
    stored, total = await walk(running.gateway, query, variables, key=key)
    live, _ = await walk(
        running.live, query, {**variables, "first": LIVE_PAGE}, key=key
    )
    assert stored == live, variables
    assert len(set(stored)) == len(stored), variables
    assert total == len(stored) if exact else total is None, variables
    return len(stored)


async def test_every_order_of_every_catalog_product_equals_the_live_list(
    shared: Indexed,
) -> None:
    skus = [p.sku for p in shared.gateway.sandbox.catalog.products]
    assert len(skus) >= 40
    gate = asyncio.Semaphore(4)

    async def compare(sku: str, order: str) -> int:
        async with gate:
            variables = {"sku": sku, "first": 30, "order": order}
            return await same_as_live(shared, PRODUCT_LIST, variables)

    # Each product in one order, the orders in turn: every order over eight or
    # more products (every order of one product in small pages: the next test).
    lists = [(sku, ORDERS[i % len(ORDERS)]) for i, sku in enumerate(skus)]
    counts = await asyncio.gather(*(compare(sku, order) for sku, order in lists))
    assert min(counts) > 0


async def test_small_pages_walk_every_order_exactly(shared: Indexed) -> None:
    sku = shared.gateway.sandbox.catalog.products[0].sku
    for order in ORDERS:
        variables = {"sku": sku, "first": 6, "order": order}
        assert await same_as_live(shared, PRODUCT_LIST, variables) > 6 * 10


async def test_the_shop_list_equals_the_live_list(shared: Indexed) -> None:
    whole = {"first": 100, "order": "MOST_RECENTLY_UPDATED"}
    assert await same_as_live(shared, SHOP_LIST, whole) > 5000
    for order in ORDERS:
        variables = {"first": 50, "order": order, "filter": {"ratings": [1]}}
        await same_as_live(shared, SHOP_LIST, variables)
        variables = {"first": 50, "order": order, "filter": {"kinds": ["SHOP"]}}
        await same_as_live(shared, SHOP_LIST, variables)


async def test_every_status_walks_the_same_with_a_server_key(shared: Indexed) -> None:
    statuses = ["PUBLISHED", "PENDING", "REJECTED", "ARCHIVED", "HIDDEN"]
    sku = shared.gateway.sandbox.catalog.products[1].sku
    for order in ("NEWEST", "LOWEST_RATED"):
        variables = {"sku": sku, "first": 9, "order": order}
        variables["filter"] = {"statuses": statuses}
        published = await same_as_live(
            shared, PRODUCT_LIST, {**variables, "filter": None}
        )
        every = await same_as_live(shared, PRODUCT_LIST, variables, key=SERVER_KEY)
        assert every > published


async def test_a_mixed_list_merges_one_live_platform_with_three_indexed(
    shared: Indexed,
) -> None:
    products = shared.gateway.sandbox.catalog.products
    everywhere = [p.sku for p in products if len(p.providers) == 4][:2]
    lists: list[tuple[str, dict[str, Any]]] = [
        (PRODUCT_LIST, {"sku": sku, "first": 15, "order": order})
        for sku in everywhere
        for order in ORDERS
    ]
    lists += [
        (SHOP_LIST, {"first": 50, "order": order, "filter": {"ratings": [1]}})
        for order in ORDERS
    ]
    shared.index.served.discard(Provider.MAYAR)  # Mayar read live from here on
    try:
        shared.gateway.sandbox.log.clear()
        stored = [await walk(shared.gateway, q, v) for q, v in lists]
        # Only Mayar's part of the lists went upstream.
        assert {c.provider for c in shared.gateway.calls()} == {"mayar"}
    finally:
        shared.index.served.add(Provider.MAYAR)
    for (query, variables), (ids, total) in zip(lists, stored, strict=True):
        live, _ = await walk(shared.live, query, {**variables, "first": 100})
        assert ids == live, variables
        # Mayar's live stream has no total in NEWEST: neither has the list.
        if variables["order"] == "NEWEST":
            assert total is None
        else:
            assert total == len(ids)


async def test_a_cursor_keeps_its_split_when_a_platform_starts_or_stops_being_indexed(
    shared: Indexed,
) -> None:
    sku = shared.gateway.sandbox.catalog.products[0].sku
    for order in ("NEWEST", "HIGHEST_RATED"):
        variables = {"sku": sku, "first": 10, "order": order}
        expected, _ = await walk(shared.live, PRODUCT_LIST, {**variables, "first": 100})
        for first_served, then_served in ((False, True), (True, False)):
            if not first_served:
                shared.index.served.discard(Provider.MAYAR)
            try:
                data = await shared.gateway.data(PRODUCT_LIST, variables)
            finally:
                shared.index.served.add(Provider.MAYAR)
            connection = data["product"]["reviews"]
            ids = [e["node"]["id"] for e in connection["edges"]]
            if not then_served:
                shared.index.served.discard(Provider.MAYAR)
            try:
                after = connection["pageInfo"]["endCursor"]
                rest, _ = await walk(
                    shared.gateway, PRODUCT_LIST, variables, after=after
                )
            finally:
                shared.index.served.add(Provider.MAYAR)
            assert ids + rest == expected, (order, first_served)
