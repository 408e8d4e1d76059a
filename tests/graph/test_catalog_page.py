"""The catalog page: 40 products' summaries and first reviews, and what it costs."""

import asyncio
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

from tests.graph.conftest import Gateway
from tests.graph.expected import published_reviews

CATALOG_PAGE = """
query Catalog($skus: [String!]!) {
  products(skus: $skus) {
    sku name
    ratingSummary { count average providers { provider count } }
    reviews(first: 3) { edges { node { provider rating createdAt } } }
  }
}
"""


def _summary_or_list(provider: str, path: str, query: dict[str, list[str]]) -> str:
    """What a logged call was for: 'summary', 'list' or 'other' (tokens...)."""
    if provider == "trustpilot":
        if path.endswith("/batch-summaries"):
            return "summary"
        return "list" if path.endswith("/reviews") else "other"
    if provider == "etrusted":
        if path != "/reviews":
            return "other"
        return "summary" if query.get("count") == ["1000"] else "list"
    if provider == "trustoo":
        if path.endswith("/get_rating"):
            return "summary"
        return "list" if path.endswith("/get_reviews") else "other"
    return "summary" if path.endswith("/stats") else "list"


def _product_keys(gateway: Gateway, sku: str) -> tuple[str, ...]:
    product = gateway.sandbox.catalog.by_sku(sku)
    assert product is not None
    return tuple(
        str(k)
        for k in (sku, product.trustoo_product_id, product.mayar_payment_link_id)
        if k is not None
    )


async def test_catalog_page_batches_summaries_and_caps_calls_per_product(
    gateway: Gateway,
) -> None:
    skus = [p.sku for p in gateway.sandbox.catalog.products[:40]]
    data = await gateway.data(CATALOG_PAGE, {"skus": skus})
    products: list[dict[str, Any]] = data["products"]
    assert [p["sku"] for p in products] == skus
    for product in products[:5]:
        expected = published_reviews(gateway.sandbox.catalog, product["sku"])
        assert product["ratingSummary"]["count"] == len(expected)
        assert 1 <= len(product["reviews"]["edges"]) <= 3

    kinds: Counter[tuple[str, str]] = Counter()
    per_product: Counter[tuple[str, str, str]] = Counter()
    for call in gateway.calls():
        query = parse_qs(call.query)
        kind = _summary_or_list(call.provider, call.path, query)
        kinds[call.provider, kind] += 1
        if kind == "other":
            continue
        mentioned = [
            sku
            for sku in skus
            if any(
                k in call.path
                or k
                in query.get("sku", [])
                + query.get("product_id", [])
                + query.get("product_ids", [])
                for k in _product_keys(gateway, sku)
            )
        ]
        if len(mentioned) == 1:
            per_product[call.provider, kind, mentioned[0]] += 1
    assert kinds["trustpilot", "summary"] == 1, "Trustpilot has batch-summaries"
    assert kinds["etrusted", "summary"] <= 2, "one paged walk for every SKU"
    assert per_product, "the listing calls name their product"
    assert max(per_product.values()) == 1, per_product.most_common(3)


async def test_a_repeated_query_within_the_ttl_calls_no_platform(
    gateway: Gateway,
) -> None:
    skus = [p.sku for p in gateway.sandbox.catalog.products[:40]]
    first = await gateway.data(CATALOG_PAGE, {"skus": skus})
    assert gateway.calls()
    gateway.sandbox.log.clear()
    second = await gateway.data(CATALOG_PAGE, {"skus": skus})
    assert second == first
    assert gateway.calls() == []


async def test_identical_concurrent_queries_are_coalesced(gateway: Gateway) -> None:
    sku = gateway.sandbox.catalog.products[0].sku
    query = f'{{ product(sku: "{sku}") {{ ratingSummary {{ count }} }} }}'
    await gateway.data("{ providers { provider } }")
    gateway.sandbox.log.clear()
    answers = await asyncio.gather(*(gateway.data(query) for _ in range(5)))
    assert all(a == answers[0] for a in answers)
    summary_calls = Counter(
        (c.provider, c.path, c.query)
        for c in gateway.calls()
        if _summary_or_list(c.provider, c.path, parse_qs(c.query)) == "summary"
    )
    assert summary_calls
    assert max(summary_calls.values()) == 1
