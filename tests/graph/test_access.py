"""Server keys held as hashes, with scopes."""

import aiohttp

from gateway.config import ApiKey
from resolvers.access import digest
from tests.graph.conftest import serve_gateway

READER = "reader-key-0b9f"
WRITER = "writer-key-77aa"
PRIVATE = """query ($sku: String!) { product(sku: $sku) {
  reviews(first: 2) { edges { node { customer { email } } } } } }"""
WRITE = """mutation { reportReview(input: {reviewId: "x", reason: ABUSIVE,
  comment: "c", reporterEmail: "a@b.example"}) { userErrors { code } } }"""


async def test_scopes_decide_what_a_key_may_do(http: aiohttp.ClientSession) -> None:
    keys = (
        ApiKey("bff", digest(READER), ("read:private",)),
        ApiKey("back-office", digest(WRITER), ("read:private", "write")),
    )
    async with serve_gateway(http, api_keys=keys) as gw:
        sku = gw.sandbox.catalog.products[0].sku
        private = await gw.data(PRIVATE, {"sku": sku}, key=READER)
        assert private["product"]["reviews"]["edges"][0]["node"]["customer"]
        status, body = await gw.query(WRITE, key=READER)
        assert status == 200
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "write" in body["errors"][0]["message"]
        written = await gw.data(WRITE, key=WRITER)
        assert written["reportReview"]["userErrors"][0]["code"] == "INVALID_ID"
        status, body = await gw.query(PRIVATE, {"sku": sku}, key="sandbox-server-key")
        assert status == 200, "sandbox settings accept the sandbox key"
        status, body = await gw.query(PRIVATE, {"sku": sku}, key=READER[:-1])
        assert status == 401
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert READER[:-1] not in str(body)
