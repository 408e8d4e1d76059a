"""Demand control (issue 9, items 6 to 8): what one request may ask, refused up front.

Every refusal here happens before anything executes, so it makes no upstream call.
Costs are the documented model (README, "Limits"): every object the answer can hold
counts 1; a list counts its size (``first``, default 20; the ``skus``; the
representations); an object inside a list counts once per item of the list.
"""

from typing import Any

import aiohttp

from schema.graphiql import PRODUCT_PAGE_QUERY
from tests.graph.conftest import SERVER_KEY, Gateway, serve_gateway

CATALOG_PAGE = """
query Catalog($skus: [String!]!) {
  products(skus: $skus) {
    sku name
    ratingSummary { count average }
    reviews(first: 3) { edges { node { provider rating body } } }
  }
}
"""
REVIEWS_OF = """
query Reviews($skus: [String!]!, $first: Int) {
  products(skus: $skus) { reviews(first: $first) { edges { node { rating } } } }
}
"""


def _skus(gateway: Gateway, count: int) -> list[str]:
    products = gateway.sandbox.catalog.products
    return [products[i % len(products)].sku for i in range(count)]


def _only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    assert len(body["errors"]) == 1, body["errors"]
    error: dict[str, Any] = body["errors"][0]
    return error


# --- item 6: _entities representations ------------------------------------------

ENTITIES = """
query Entities($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on Product { sku ratingSummary { count } } }
}
"""


async def test_entities_refuses_more_representations_than_the_limit(
    gateway: Gateway,
) -> None:
    reps = [{"__typename": "Product", "sku": sku} for sku in _skus(gateway, 101)]
    status, body = await gateway.query(ENTITIES, {"reps": reps})
    assert status == 200
    error = _only_error(body)
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "argument": "representations",
        "count": 101,
        "max": 100,
    }
    assert gateway.calls() == []
    # The limit itself is allowed.
    data = await gateway.data(ENTITIES, {"reps": reps[:100]})
    assert len(data["_entities"]) == 100


async def test_representations_are_counted_however_they_are_written(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_gateway(http, max_representations=2) as gw:
        inline = (
            "{ _entities(representations: ["
            + ", ".join(f'{{__typename: "Product", sku: "{s}"}}' for s in _skus(gw, 3))
            + "]) { ... on Product { sku } } }"
        )
        _, body = await gw.query(inline)
        assert _only_error(body)["extensions"]["code"] == "BAD_USER_INPUT"
        assert gw.calls() == []


# --- item 7: skus cap, cost budget, response size -------------------------------


async def test_products_refuses_more_skus_than_the_limit(gateway: Gateway) -> None:
    query = """
    query P($skus: [String!]!) { products(skus: $skus) { ratingSummary { count } } }
    """
    status, body = await gateway.query(query, {"skus": _skus(gateway, 101)})
    assert status == 200
    error = _only_error(body)
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "argument": "skus",
        "count": 101,
        "max": 100,
    }
    assert "101" in error["message"]
    assert gateway.calls() == []


async def test_the_old_reproduction_is_refused_before_any_call(
    gateway: Gateway,
) -> None:
    # issue 9: 1,000 SKUs with reviews(first: 100) ran 37 s and answered 79 MB.
    skus = _skus(gateway, 1000)
    _, body = await gateway.query(REVIEWS_OF, {"skus": skus, "first": 100})
    assert _only_error(body)["extensions"]["code"] == "BAD_USER_INPUT"
    # Within the SKU cap, the cost refuses it: 100 + 100 * 100 * 3.
    _, body = await gateway.query(REVIEWS_OF, {"skus": skus[:100], "first": 100})
    error = _only_error(body)
    assert error["extensions"] == {
        "code": "QUERY_TOO_EXPENSIVE",
        "cost": 100 + 100 * 100 * 3,
        "maxCost": 2000,
    }
    assert gateway.calls() == []


async def test_cost_multiplies_nested_lists_with_variables_and_defaults(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_gateway(http, max_cost=400) as gw:
        skus = _skus(gw, 40)
        # products 40 + reviews 40 * 3 + edges 40 * 3 + nodes 40 * 3 = 400: allowed.
        data = await gw.data(REVIEWS_OF, {"skus": skus, "first": 3})
        assert len(data["products"]) == 40
        gw.sandbox.log.clear()
        _, body = await gw.query(REVIEWS_OF, {"skus": [*skus, skus[0]], "first": 3})
        error = _only_error(body)
        assert error["extensions"] == {
            "code": "QUERY_TOO_EXPENSIVE",
            "cost": 41 + 41 * 3 * 3,
            "maxCost": 400,
        }
        # `first` left out is its default, 20.
        _, body = await gw.query(REVIEWS_OF, {"skus": skus[:7]})
        assert _only_error(body)["extensions"]["cost"] == 7 + 7 * 20 * 3
        assert gw.calls() == []


async def test_shop_wide_sorted_reads_are_costed_as_whole_list_reads(
    gateway: Gateway,
) -> None:
    # No platform sorts by rating: each such read walks the shop's whole list at
    # every platform, so it counts 1000 besides its objects (one fits the budget).
    def read(alias: str, rating: int) -> str:
        return (
            f"{alias}: reviews(first: 1, orderBy: LOWEST_RATED, "
            f"filter: {{ ratings: [{rating}] }}) {{ totalCount }}"
        )

    _, body = await gateway.query("{ " + read("a", 1) + " " + read("b", 2) + " }")
    error = _only_error(body)
    assert error["extensions"]["cost"] == 2 * (1000 + 1)
    assert gateway.calls() == []
    data = await gateway.data("{ " + read("a", 1) + " }")
    assert data["a"]["totalCount"] > 0


async def test_lists_filtered_in_the_gateway_are_costed_as_whole_list_reads(
    gateway: Gateway,
) -> None:
    # No platform filters on media, verification or replies: the gateway reads on
    # until a page is full, and for hasReply reads the threads that decide too.
    def read(alias: str, rating: int, field: str) -> str:
        return (
            f"{alias}: reviews(first: 1, "
            f"filter: {{ ratings: [{rating}], {field}: true }}) {{ totalCount }}"
        )

    reads = [read(f"r{n}", 1 + n % 5, "hasReply") for n in range(3)]
    _, body = await gateway.query("{ " + " ".join(reads) + " }")
    assert _only_error(body)["extensions"]["cost"] == 3 * (1000 + 1)
    products = (
        "products(skus: $skus) { reviews(first: 1, filter: { verified: true }) "
        "{ totalCount } }"
    )
    query = "query ($skus: [String!]!) { " + products + " }"
    skus = [*_skus(gateway, 48), *(f"NO-SUCH-{n}" for n in range(52))]
    _, body = await gateway.query(query, {"skus": skus})
    assert _only_error(body)["extensions"]["cost"] == 100 * (1 + 1 + 20)
    assert gateway.calls() == []
    # One of them fits the budget and runs.
    data = await gateway.data("{ " + read("m", 5, "withMedia") + " }")
    assert data["m"] is not None


async def test_readme_pages_pass_the_default_budget(gateway: Gateway) -> None:
    # The README's product page, as GraphiQL's first tab holds it.
    data = await gateway.data(PRODUCT_PAGE_QUERY)
    assert data["product"]["reviews"]["edges"]
    data = await gateway.data(CATALOG_PAGE, {"skus": _skus(gateway, 40)})
    assert len(data["products"]) == 40


async def test_mutations_are_costed_too(http: aiohttp.ClientSession) -> None:
    async with serve_gateway(http, max_cost=25) as gw:
        mutation = """
        mutation {
          a: deleteReview(input: {id: "x"}) { deletedReviewId userErrors { code } }
          b: deleteReview(input: {id: "y"}) { deletedReviewId userErrors { code } }
          c: deleteReview(input: {id: "z"}) { deletedReviewId userErrors { code } }
        }
        """
        _, body = await gw.query(mutation, key=SERVER_KEY)
        error = _only_error(body)
        assert error["extensions"]["code"] == "QUERY_TOO_EXPENSIVE"
        # Each write counts 10, its payload 1, each user error list 5 assumed.
        assert error["extensions"]["cost"] == 3 * (10 + 1 + 5)
        assert gw.calls() == []


async def test_a_response_over_the_size_limit_is_a_coded_error(
    http: aiohttp.ClientSession,
) -> None:
    query = """
    { product(sku: "APP-1000") { reviews(first: 20) { edges { node { body } } } } }
    """
    async with serve_gateway(http, max_response_bytes=1000) as gw:
        async with http.post(gw.url + "/graphql", json={"query": query}) as response:
            raw = await response.read()
            status = response.status
        assert len(raw) < 1000
        assert status == 200
        body = await response.json()
        error = _only_error(body)
        assert error["extensions"] == {
            "code": "RESPONSE_TOO_LARGE",
            "maxBytes": 1000,
        }
    async with serve_gateway(http) as gw:
        data = await gw.data(query)
        assert len(data["product"]["reviews"]["edges"]) == 20


# --- item 8: aliases and cost with fragments expanded ---------------------------


async def test_aliases_in_fragments_count_once_per_spread(
    http: aiohttp.ClientSession,
) -> None:
    query = """
    { p1: product(sku: "APP-1000") { ...Both }
      p2: product(sku: "APP-1000") { ...Both } }
    fragment Both on Product { a: name b: brand }
    """
    # Expanded: p1, p2, and a, b in each spread: 6 aliases.
    async with serve_gateway(http, max_aliases=5) as gw:
        _, body = await gw.query(query)
        assert _only_error(body)["extensions"]["code"] == "QUERY_TOO_MANY_ALIASES"
    async with serve_gateway(http, max_aliases=6) as gw:
        data = await gw.data(query)
        assert data["p2"]["b"] == data["p1"]["b"]


async def test_cost_counts_fragments_per_spread(http: aiohttp.ClientSession) -> None:
    inline = """
    query R($skus: [String!]!) {
      products(skus: $skus) { reviews(first: 5) { edges { node { rating } } } }
      product(sku: "APP-1000") { reviews(first: 5) { edges { node { rating } } } }
    }
    """
    spread = """
    query R($skus: [String!]!) {
      products(skus: $skus) { ...Five }
      product(sku: "APP-1000") { ...Five }
    }
    fragment Five on Product { ...Inner }
    fragment Inner on Product { reviews(first: 5) { edges { node { rating } } } }
    """
    async with serve_gateway(http, max_cost=10) as gw:
        skus = _skus(gw, 10)
        costs = []
        for query in (inline, spread):
            _, body = await gw.query(query, {"skus": skus})
            costs.append(_only_error(body)["extensions"]["cost"])
        # products 10 + 10 * 5 * 3, product 1 + 5 * 3
        assert costs == [10 + 10 * 15 + 1 + 15] * 2
        assert gw.calls() == []


async def test_fragments_spread_exponentially_are_walked_once_per_level(
    gateway: Gateway,
) -> None:
    # A diamond of fragments: A0 and B0 both spread A1 and B1, which both spread
    # A2 and B2, ... Walked naively (the depth rule did) that is 2**30 paths;
    # executed, every fragment is collected once per selection set, so the answer
    # is two fields and two aliases.
    levels = 30
    fragments = [
        f"fragment A{levels} on Query {{ x: providers {{ provider }} }}",
        f"fragment B{levels} on Query {{ y: providers {{ provider }} }}",
    ]
    for i in range(levels):
        step = f"{{ ...A{i + 1} ...B{i + 1} }}"
        fragments += [
            f"fragment A{i} on Query {step}",
            f"fragment B{i} on Query {step}",
        ]
    query = "{ ...A0 ...B0 }\n" + "\n".join(fragments)
    data = await gateway.data(query)
    assert len(data["x"]) == len(data["y"]) == 4
    assert gateway.calls() == []


async def test_long_lists_completed_in_batches_keep_their_order(
    gateway: Gateway,
) -> None:
    # A page of 100 plain reviews is completed 10 items per event-loop turn
    # (schema/pacing.py); the answer is the same list, in the same order.
    page = """
    query Page($first: Int!, $after: String) {
      reviews(first: $first, after: $after) {
        edges { node { id rating author { displayName } } }
        pageInfo { endCursor }
      }
    }
    """
    whole = (await gateway.data(page, {"first": 100}))["reviews"]
    first = (await gateway.data(page, {"first": 50}))["reviews"]
    after = first["pageInfo"]["endCursor"]
    rest = (await gateway.data(page, {"first": 50, "after": after}))["reviews"]
    ids = [e["node"]["id"] for e in whole["edges"]]
    assert len(ids) == len(set(ids)) == 100
    assert ids == [e["node"]["id"] for e in first["edges"] + rest["edges"]]
