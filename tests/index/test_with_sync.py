"""The reads over the real sync: backfilled, then page views cost no upstream call.

``SyncService`` is the index here (wired as the app is to wire it), so what the
other tests show with a filled index holds with the sync: the store it fills, the
replies it derives and its write-through.
"""

from typing import Any

import aiohttp

from tests.graph.conftest import SERVER_KEY
from tests.index.conftest import serve_synced
from tests.index.test_orders import ORDERS, PRODUCT_LIST, walk
from tests.index.test_page_views import BY_ID, CATALOG_PAGE, PRODUCT_PAGE

CREATE = """mutation ($input: CreateReviewInput!) {
  createReview(input: $input) { review { id } userErrors { code } } }"""


async def test_the_synced_index_serves_every_page_view_without_upstream_calls(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_synced(http) as synced:
        gateway = synced.gateway
        status = await gateway.data("{ providers { provider sync { state reviews } } }")
        assert {p["sync"]["state"] for p in status["providers"]} == {"LIVE"}
        assert all(p["sync"]["reviews"] > 0 for p in status["providers"])
        gateway.sandbox.log.clear()
        products = gateway.sandbox.catalog.products
        data = await gateway.data(
            CATALOG_PAGE, {"skus": [p.sku for p in products[:40]]}
        )
        assert all(p["ratingSummary"]["count"] > 0 for p in data["products"])
        page = await gateway.data(PRODUCT_PAGE, {"sku": products[0].sku})
        edges: list[dict[str, Any]] = page["product"]["reviews"]["edges"]
        for edge in edges:
            node = edge["node"]
            reps = [{"__typename": "Review", "id": node["id"]}]
            by_id = await gateway.data(BY_ID, {"id": node["id"], "reps": reps})
            assert by_id["review"]["reply"] == node["reply"]
        assert gateway.calls() == []

        for order in ORDERS:
            variables = {"sku": products[0].sku, "first": 9, "order": order}
            stored, total = await walk(gateway, PRODUCT_LIST, variables)
            live, _ = await walk(synced.live, PRODUCT_LIST, {**variables, "first": 100})
            assert stored == live, order
            assert total == len(stored)

        created = await gateway.data(
            CREATE,
            {
                "input": {
                    "provider": "TRUSTOO",
                    "sku": products[0].sku,
                    "rating": 5,
                    "authorName": "Ana W.",
                    "body": "Synced at once.",
                }
            },
            key=SERVER_KEY,
        )
        new_id = created["createReview"]["review"]["id"]
        gateway.sandbox.log.clear()
        read = await gateway.data(
            "query ($id: ID!) { review(id: $id) { body } }", {"id": new_id}
        )
        assert read["review"] == {"body": "Synced at once."}
        assert gateway.calls() == []
