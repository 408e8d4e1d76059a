"""Indexed page views cost no platform call (the sandbox's request log says so)."""

from typing import Any

import pytest

from tests.index.conftest import Indexed

pytestmark = pytest.mark.asyncio(loop_scope="session")

PRODUCT_PAGE = """
query Product($sku: String!) {
  product(sku: $sku) {
    sku name
    ratingSummary {
      count average complete missingProviders
      distribution { oneStar twoStars threeStars fourStars fiveStars }
      providers { provider count average }
    }
    attributeSummaries { id name average count }
    reviews(first: 10) {
      totalCount complete
      pageInfo { hasNextPage endCursor }
      edges { node {
        id provider providerReviewId rating ratingExact title body createdAt
        status verified author { displayName country } media { url }
        reply { body } attributeRatings { id rating } product { sku }
      } }
    }
  }
}
"""

CATALOG_PAGE = """
query Catalog($skus: [String!]!) {
  products(skus: $skus) {
    sku name
    ratingSummary { count average providers { provider count average } }
    reviews(first: 3) { edges { node { id provider rating createdAt reply { body } } } }
  }
  shopRatingSummary { count average }
}
"""

BY_ID = """
query ById($id: ID!, $reps: [_Any!]!) {
  review(id: $id) { id provider rating body reply { body } }
  node(id: $id) { id ... on Review { rating } }
  _entities(representations: $reps) { ... on Review { id rating } }
}
"""


async def test_product_page_makes_no_upstream_call(shared: Indexed) -> None:
    gateway = shared.gateway
    gateway.sandbox.log.clear()
    skus = [p.sku for p in gateway.sandbox.catalog.products[:3]]
    for sku in skus:
        data = await gateway.data(PRODUCT_PAGE, {"sku": sku})
        product: dict[str, Any] = data["product"]
        assert product["ratingSummary"]["complete"] is True
        assert product["reviews"]["edges"], product
        assert product["reviews"]["totalCount"] >= len(product["reviews"]["edges"])
    assert gateway.calls() == []


async def test_catalog_page_of_40_products_makes_no_upstream_call(
    shared: Indexed,
) -> None:
    gateway = shared.gateway
    gateway.sandbox.log.clear()
    skus = [p.sku for p in gateway.sandbox.catalog.products[:40]]
    assert len(skus) == 40
    data = await gateway.data(CATALOG_PAGE, {"skus": skus})
    assert all(p["ratingSummary"]["count"] > 0 for p in data["products"])
    assert all(1 <= len(p["reviews"]["edges"]) <= 3 for p in data["products"])
    assert data["shopRatingSummary"]["count"] > 0
    assert gateway.calls() == []


async def test_review_by_id_node_and_entities_make_no_upstream_call(
    shared: Indexed,
) -> None:
    gateway = shared.gateway
    sku = gateway.sandbox.catalog.products[0].sku
    page = await gateway.data(PRODUCT_PAGE, {"sku": sku})
    gateway.sandbox.log.clear()
    for edge in page["product"]["reviews"]["edges"]:
        node = edge["node"]
        reps = [{"__typename": "Review", "id": node["id"]}]
        data = await gateway.data(BY_ID, {"id": node["id"], "reps": reps})
        assert data["review"]["id"] == node["id"]
        assert data["review"]["rating"] == node["rating"]
        assert data["review"]["reply"] == node["reply"]
        assert data["node"] == {"id": node["id"], "rating": node["rating"]}
        assert data["_entities"] == [{"id": node["id"], "rating": node["rating"]}]
    assert gateway.calls() == []
