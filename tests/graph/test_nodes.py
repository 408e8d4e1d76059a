"""Single objects by id, the federation entry points, and what needs a server key."""

from typing import Any

from tests.graph.conftest import SERVER_KEY, Gateway

FIRST_REVIEWS = """
query ($sku: String!, $filter: ReviewFilter) {
  product(sku: $sku) {
    id
    reviews(first: 30, filter: $filter) {
      edges { node { id provider providerReviewId rating body
        conversation { id state comments { body author { type } } review { id } }
        reply { body } } }
    }
  }
}
"""


async def _reviews(gateway: Gateway, **variables: Any) -> list[dict[str, Any]]:
    sku = gateway.sandbox.catalog.products[0].sku
    data = await gateway.data(FIRST_REVIEWS, {"sku": sku, **variables})
    return [e["node"] for e in data["product"]["reviews"]["edges"]]


async def test_node_and_review_find_what_a_list_returned(gateway: Gateway) -> None:
    nodes = await _reviews(gateway)
    by_provider = {n["provider"]: n for n in nodes}
    assert set(by_provider) == {"TRUSTPILOT", "ETRUSTED", "TRUSTOO", "MAYAR"}
    for listed in by_provider.values():
        data = await gateway.data(
            """query ($id: ID!) {
                 review(id: $id) { id providerReviewId rating body }
                 node(id: $id) { id ... on Review { provider } }
               }""",
            {"id": listed["id"]},
        )
        assert data["review"]["providerReviewId"] == listed["providerReviewId"]
        assert data["review"]["body"] == listed["body"]
        assert data["node"] == {"id": listed["id"], "provider": listed["provider"]}


async def test_products_and_nodes_by_sku(gateway: Gateway) -> None:
    catalog = gateway.sandbox.catalog
    skus = [catalog.products[2].sku, "NO-SUCH-SKU", catalog.products[5].sku]
    data = await gateway.data(
        "query ($skus: [String!]!) { products(skus: $skus) { id sku name gtin } }",
        {"skus": skus},
    )
    first, missing, last = data["products"]
    assert missing is None
    assert (first["sku"], first["name"]) == (skus[0], catalog.products[2].name)
    assert last["gtin"] == catalog.products[5].gtin
    node = await gateway.data(
        "query ($id: ID!) { node(id: $id) { ... on Product { sku } } }",
        {"id": first["id"]},
    )
    assert node["node"]["sku"] == skus[0]


async def test_trustpilot_threads_resolve_to_their_review(gateway: Gateway) -> None:
    nodes = await _reviews(gateway, filter={"providers": ["TRUSTPILOT"]})
    threaded = [n for n in nodes if n["conversation"]]
    assert threaded, "seeded Trustpilot reviews carry conversations"
    for node in threaded:
        conversation = node["conversation"]
        assert conversation["review"]["id"] == node["id"]
        assert conversation["comments"]
        business = [
            c for c in conversation["comments"] if c["author"]["type"] == "BUSINESS"
        ]
        if business:
            assert node["reply"]["body"] == business[0]["body"]
        data = await gateway.data(
            "query ($id: ID!) { conversation(id: $id) { id provider state } }",
            {"id": conversation["id"]},
        )
        assert data["conversation"]["provider"] == "TRUSTPILOT"


async def test_entities_resolve_through_the_same_loaders(gateway: Gateway) -> None:
    nodes = await _reviews(gateway)
    sku = gateway.sandbox.catalog.products[0].sku
    data = await gateway.data(
        """query ($reps: [_Any!]!) {
             _entities(representations: $reps) {
               ... on Product { sku name }
               ... on Review { id provider }
             }
           }""",
        {
            "reps": [
                {"__typename": "Product", "sku": sku},
                {"__typename": "Review", "id": nodes[0]["id"]},
            ]
        },
    )
    product, review = data["_entities"]
    assert product["sku"] == sku
    assert review["id"] == nodes[0]["id"]


async def test_private_fields_and_states_need_a_server_key(gateway: Gateway) -> None:
    sku = gateway.sandbox.catalog.products[0].sku
    query = """query ($sku: String!) { product(sku: $sku) {
                 reviews(first: 3) { edges { node { customer { email } raw } } } } }"""
    status, body = await gateway.query(query, {"sku": sku})
    assert status == 200
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    edges = body["data"]["product"]["reviews"]["edges"]
    assert all(e["node"]["customer"] is None for e in edges)
    private = await gateway.data(query, {"sku": sku}, key=SERVER_KEY)
    assert any(
        e["node"]["customer"] and e["node"]["customer"]["email"]
        for e in private["product"]["reviews"]["edges"]
    )
    pending = {"sku": sku, "filter": {"statuses": ["PENDING", "HIDDEN"]}}
    status, body = await gateway.query(FIRST_REVIEWS, pending)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    nodes = (await gateway.data(FIRST_REVIEWS, pending, key=SERVER_KEY))["product"]
    assert nodes["reviews"]["edges"]


async def test_providers_lists_every_platform(gateway: Gateway) -> None:
    data = await gateway.data("{ providers { provider configured capabilities } }")
    assert [p["provider"] for p in data["providers"]] == [
        "TRUSTPILOT",
        "ETRUSTED",
        "TRUSTOO",
        "MAYAR",
    ]
    assert all(
        p["configured"] and "reviews" in p["capabilities"] for p in data["providers"]
    )
