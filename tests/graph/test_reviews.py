"""Merged review lists through a real gateway, checked against the simulators' data."""

from datetime import datetime
from typing import Any

import pytest

from tests.graph.conftest import Gateway
from tests.graph.expected import published_reviews

PRODUCT_REVIEWS = """
query Page($sku: String!, $first: Int, $after: String, $order: ReviewOrder,
           $filter: ReviewFilter) {
  product(sku: $sku) {
    reviews(first: $first, after: $after, orderBy: $order, filter: $filter) {
      totalCount
      edges {
        cursor
        node { id provider providerReviewId rating ratingExact createdAt }
      }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


async def walk(
    gateway: Gateway, sku: str, first: int, **variables: Any
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    for _ in range(200):
        data = await gateway.data(
            PRODUCT_REVIEWS, {"sku": sku, "first": first, "after": after, **variables}
        )
        connection = data["product"]["reviews"]
        nodes.extend(edge["node"] for edge in connection["edges"])
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]
    raise AssertionError("paging never ended")


def keys(nodes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(n["provider"], n["providerReviewId"]) for n in nodes]


def instants(nodes: list[dict[str, Any]]) -> list[datetime]:
    return [datetime.fromisoformat(n["createdAt"]) for n in nodes]


async def test_paging_through_a_product_yields_exactly_its_reviews_newest_first(
    gateway: Gateway,
) -> None:
    sku = gateway.sandbox.catalog.products[0].sku
    expected = published_reviews(gateway.sandbox.catalog, sku)
    nodes = await walk(gateway, sku, first=7)
    assert len(keys(nodes)) == len(set(keys(nodes)))
    assert set(keys(nodes)) == set(expected)
    assert {p for p, _ in keys(nodes)} == {"TRUSTPILOT", "ETRUSTED", "TRUSTOO", "MAYAR"}
    moments = instants(nodes)
    assert moments == sorted(moments, reverse=True)
    for node, moment in zip(nodes, moments, strict=True):
        assert moment == expected[node["provider"], node["providerReviewId"]]


@pytest.mark.parametrize(
    ("order", "check"),
    [
        ("OLDEST", lambda ns: instants(ns) == sorted(instants(ns))),
        (
            "HIGHEST_RATED",
            lambda ns: (
                [n["ratingExact"] for n in ns]
                == sorted((n["ratingExact"] for n in ns), reverse=True)
            ),
        ),
        (
            "LOWEST_RATED",
            lambda ns: (
                [n["ratingExact"] for n in ns] == sorted(n["ratingExact"] for n in ns)
            ),
        ),
    ],
)
async def test_other_orders_page_through_the_same_set(
    gateway: Gateway, order: str, check: Any
) -> None:
    sku = gateway.sandbox.catalog.products[3].sku
    expected = published_reviews(gateway.sandbox.catalog, sku)
    nodes = await walk(gateway, sku, first=25, order=order)
    assert sorted(keys(nodes)) == sorted(expected)
    assert check(nodes)


async def test_filters_narrow_every_platform(gateway: Gateway) -> None:
    sku = gateway.sandbox.catalog.products[1].sku
    everything = await walk(gateway, sku, first=100)
    nodes = await walk(
        gateway,
        sku,
        first=10,
        filter={"ratings": [1, 2], "providers": ["TRUSTOO", "MAYAR", "ETRUSTED"]},
    )
    wanted = {
        k
        for k, n in zip(keys(everything), everything, strict=True)
        if n["rating"] in (1, 2) and n["provider"] != "TRUSTPILOT"
    }
    assert set(keys(nodes)) == wanted
    assert nodes, "the seeded data should hold low ratings for this product"


async def test_a_cursor_from_another_list_is_refused(gateway: Gateway) -> None:
    sku = gateway.sandbox.catalog.products[0].sku
    data = await gateway.data(PRODUCT_REVIEWS, {"sku": sku, "first": 2})
    cursor = data["product"]["reviews"]["pageInfo"]["endCursor"]
    for variables in (
        {"sku": sku, "first": 2, "after": cursor, "order": "OLDEST"},
        {"sku": sku, "first": 2, "after": "not-a-cursor"},
        {"sku": sku, "first": 101},
        {"sku": sku, "first": -1},
    ):
        status, body = await gateway.query(PRODUCT_REVIEWS, variables)
        assert status == 200
        assert body["data"] == {"product": None}
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert body["errors"][0]["path"] == ["product", "reviews"]


async def test_shop_wide_reviews_merge_every_platform(gateway: Gateway) -> None:
    data = await gateway.data(
        "{ reviews(first: 40) { edges { node { provider createdAt product { sku } } }"
        " pageInfo { hasNextPage } } }"
    )
    nodes = [e["node"] for e in data["reviews"]["edges"]]
    assert len(nodes) == 40
    moments = instants(nodes)
    assert moments == sorted(moments, reverse=True)
    assert data["reviews"]["pageInfo"]["hasNextPage"] is True
