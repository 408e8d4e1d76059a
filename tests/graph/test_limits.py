"""Query limits and CORS, each with a clear, coded refusal."""

import aiohttp

from tests.graph.conftest import serve_gateway


async def test_depth_aliases_and_tokens_are_limited(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_gateway(http, max_depth=4, max_aliases=3, max_tokens=120) as gw:
        deep = (
            '{ product(sku: "APP-1000") { reviews { edges { node { product '
            "{ sku } } } } } }"
        )
        status, body = await gw.query(deep)
        assert status == 200
        assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
        aliases = (
            "{ " + " ".join(f"a{i}: providers {{ provider }}" for i in range(4)) + " }"
        )
        _, body = await gw.query(aliases)
        assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_MANY_ALIASES"
        large = "{ " + " ".join("providers { provider }" for _ in range(40)) + " }"
        _, body = await gw.query(large)
        assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_LARGE"
        fine = await gw.data("{ a: providers { provider } b: providers { provider } }")
        assert len(fine["a"]) == 4
        assert gw.calls() == []


async def test_cors_allows_only_configured_origins(http: aiohttp.ClientSession) -> None:
    origin = "https://shop.example"
    async with serve_gateway(http, cors_origins=(origin,)) as gw:
        for asked, allowed in ((origin, True), ("https://evil.example", False)):
            async with http.options(
                gw.url + "/graphql",
                headers={
                    "Origin": asked,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "content-type",
                },
            ) as response:
                header = response.headers.get("Access-Control-Allow-Origin")
            assert (header == asked) is allowed
