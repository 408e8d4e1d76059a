"""Discovering the graph: review kinds, the shop's rating, the catalog, the sandbox
door through the gateway, and a GraphiQL page that explains itself offline."""

import asyncio
import json
import logging
import os
import re
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest

from gateway.app import create_app
from gateway.config import Mode, Settings
from gateway.records import StarDistribution
from sandbox import etrusted, trustoo
from sandbox.catalog import Catalog
from sandbox.control import FaultSettings
from tests.graph.conftest import (
    IDLE_STORE,
    IDLE_SYNC,
    SERVER_KEY,
    Gateway,
    serve_app,
    serve_gateway,
)

README = Path(__file__).parents[2] / "README.md"

KINDS = """
query ($filter: ReviewFilter, $after: String) {
  reviews(first: 100, after: $after, filter: $filter) {
    totalCount
    edges { node { provider kind product { sku } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _shop_reviews(catalog: Catalog) -> set[tuple[str, str]]:
    """The published shop/service reviews, read from fresh copies of the stores."""
    found = {
        ("ETRUSTED", r.id)
        for r in etrusted.build_store(catalog, catalog.seed).reviews
        if r.type == "SERVICE_REVIEW" and r.state == "APPROVED" and not r.is_statement
    }
    found |= {
        ("TRUSTOO", str(r.id))
        for r in trustoo.build_store(catalog, catalog.seed).reviews.values()
        if r.product_id == 0 and r.is_published
    }
    return found


def _shop_ratings(catalog: Catalog) -> dict[str, list[int]]:
    """The stars the platforms' shop ratings count: eTrusted's approved, verified
    service reviews of every channel, Trustoo's published store reviews."""
    et = etrusted.build_store(catalog, catalog.seed)
    channels = set(catalog.credentials.etrusted.channel_ids)
    return {
        "ETRUSTED": [
            int(r.rating)
            for r in et.reviews
            if r.type == "SERVICE_REVIEW"
            and r.state == "APPROVED"
            and r.verified
            and r.rating is not None
            and r.channel_id in channels
        ],
        "TRUSTOO": [
            r.rating
            for r in trustoo.build_store(catalog, catalog.seed).reviews.values()
            if r.product_id == 0 and r.is_published
        ],
    }


async def _all(gateway: Gateway, review_filter: dict[str, Any]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        data = await gateway.data(KINDS, {"filter": review_filter, "after": after})
        page = data["reviews"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


# -- 19: review kinds -------------------------------------------------------------


async def test_shop_reviews_are_kind_shop_and_the_kinds_filter_selects_them(
    gateway: Gateway,
) -> None:
    nodes = await _all(gateway, {"kinds": ["SHOP"]})
    expected = _shop_reviews(gateway.sandbox.catalog)
    assert expected
    assert {(n["provider"], n["kind"]) for n in nodes} <= {
        ("ETRUSTED", "SHOP"),
        ("TRUSTOO", "SHOP"),
    }
    assert all(n["product"] is None for n in nodes)
    assert len(nodes) == len(expected)
    # Platforms without shop reviews are not asked at all.
    assert gateway.calls("trustpilot") == []
    assert gateway.calls("mayar") == []


async def test_the_product_kind_goes_down_to_the_platforms_that_can_filter_it(
    gateway: Gateway,
) -> None:
    data = await gateway.data(KINDS, {"filter": {"kinds": ["PRODUCT"]}})
    nodes = [e["node"] for e in data["reviews"]["edges"]]
    assert nodes
    assert {n["kind"] for n in nodes} == {"PRODUCT"}
    assert all(n["product"] is not None for n in nodes)
    lists = {
        "etrusted": [c for c in gateway.calls("etrusted") if c.path == "/reviews"],
        "trustoo": [c for c in gateway.calls("trustoo") if "get_reviews" in c.path],
    }
    assert lists["etrusted"]
    assert lists["trustoo"]
    for call in lists["etrusted"]:
        assert parse_qs(call.query)["type"] == ["PRODUCT_REVIEW"]
    for call in lists["trustoo"]:
        assert parse_qs(call.query)["is_store_review"] == ["0"]


async def test_the_shop_list_holds_both_kinds_unless_filtered(
    gateway: Gateway,
) -> None:
    # Trustoo tells its totals (eTrusted pages by cursor and has none).
    def only(*kinds: str) -> dict[str, Any]:
        return {"providers": ["TRUSTOO"], **({"kinds": list(kinds)} if kinds else {})}

    async def total(review_filter: dict[str, Any]) -> int:
        data = await gateway.data(KINDS, {"filter": review_filter})
        count: int = data["reviews"]["totalCount"]
        return count

    both = await total(only())
    product = await total(only("PRODUCT"))
    shop = await total(only("SHOP"))
    expected_shop = {
        r for r in _shop_reviews(gateway.sandbox.catalog) if r[0] == "TRUSTOO"
    }
    assert shop == len(expected_shop) > 0
    assert product > 0
    assert both == product + shop
    assert await total(only("PRODUCT", "SHOP")) == both


PRODUCT_KINDS = """
query ($sku: String!, $filter: ReviewFilter) {
  product(sku: $sku) {
    reviews(first: 50, filter: $filter) { totalCount edges { node { kind } } }
  }
}
"""


async def test_a_products_list_is_product_reviews_and_asks_nobody_for_shop_ones(
    gateway: Gateway,
) -> None:
    sku = gateway.sandbox.catalog.products[0].sku
    data = await gateway.data(PRODUCT_KINDS, {"sku": sku})
    kinds = {e["node"]["kind"] for e in data["product"]["reviews"]["edges"]}
    assert kinds == {"PRODUCT"}
    gateway.sandbox.log.clear()
    shop = await gateway.data(
        PRODUCT_KINDS, {"sku": sku, "filter": {"kinds": ["SHOP"]}}
    )
    assert shop["product"]["reviews"] == {"totalCount": 0, "edges": []}
    assert gateway.calls() == []


SHOP_SUMMARY = """
{
  shopRatingSummary {
    count average
    distribution { oneStar twoStars threeStars fourStars fiveStars }
    providers { provider count average }
  }
}
"""


async def test_the_shop_rating_merges_etrusted_service_and_trustoo_store_ratings(
    gateway: Gateway,
) -> None:
    data = await gateway.data(SHOP_SUMMARY)
    summary = data["shopRatingSummary"]
    ratings = _shop_ratings(gateway.sandbox.catalog)
    by_provider = {p["provider"]: p for p in summary["providers"]}
    assert set(by_provider) == {"ETRUSTED", "TRUSTOO"}
    for provider, stars in ratings.items():
        assert stars
        assert by_provider[provider]["count"] == len(stars)
    every = [s for stars in ratings.values() for s in stars]
    assert summary["count"] == len(every)
    counts = StarDistribution.of({n: every.count(n) for n in range(1, 6)})
    assert summary["distribution"] == {
        "oneStar": counts.one,
        "twoStars": counts.two,
        "threeStars": counts.three,
        "fourStars": counts.four,
        "fiveStars": counts.five,
    }
    assert 1.0 <= summary["average"] <= 5.0
    # The answer is cached: asking again makes no call.
    before = len(gateway.calls())
    assert await gateway.data(SHOP_SUMMARY) == data
    assert len(gateway.calls()) == before
    assert gateway.calls("trustpilot") == []
    assert gateway.calls("mayar") == []


async def test_a_failing_platform_is_left_out_of_the_shop_rating_and_reported(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_gateway(http, cache_ttl_s=0) as gateway:
        gateway.sandbox.sandbox.controls["etrusted"].apply(
            FaultSettings(error_rate=1.0, error_status=503)
        )
        status, body = await gateway.query(SHOP_SUMMARY)
    assert status == 200
    summary = body["data"]["shopRatingSummary"]
    assert [p["provider"] for p in summary["providers"]] == ["TRUSTOO"]
    assert summary["count"] == len(_shop_ratings(gateway.sandbox.catalog)["TRUSTOO"])
    [error] = body["errors"]
    assert error["extensions"]["provider"] == "ETRUSTED"
    assert error["extensions"]["code"] == "PROVIDER_UNAVAILABLE"
    assert error["path"] == ["shopRatingSummary"]


# -- 20: the catalog, the sandbox door, /healthz ------------------------------------

CATALOG = """
query ($first: Int, $after: String) {
  catalog(first: $first, after: $after) {
    totalCount
    edges { cursor node { id sku name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def test_the_catalog_pages_through_every_configured_product_once(
    gateway: Gateway,
) -> None:
    expected = [p.sku for p in gateway.sandbox.catalog.products]
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await gateway.data(CATALOG, {"first": 7, "after": after})
        connection = data["catalog"]
        assert connection["totalCount"] == len(expected)
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [e["node"]["sku"] for e in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
        assert after == connection["edges"][-1]["cursor"]
    assert seen == expected
    assert pages == -(-len(expected) // 7)
    # The catalog is configuration: no platform is asked.
    assert gateway.calls() == []


async def test_the_catalog_defaults_to_twenty_and_refuses_bad_pages(
    gateway: Gateway,
) -> None:
    data = await gateway.data(CATALOG)
    assert len(data["catalog"]["edges"]) == 20
    first = data["catalog"]["edges"][0]["node"]
    product = await gateway.data(
        "query ($id: ID!) { node(id: $id) { ... on Product { sku } } }",
        {"id": first["id"]},
    )
    assert product["node"]["sku"] == first["sku"]
    for variables in (
        {"first": 101},
        {"first": -1},
        {"after": "not-a-cursor"},
        {"after": "Y2F0YWxvZzpvbmU"},
    ):
        status, body = await gateway.query(CATALOG, variables)
        assert status == 200
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", variables


@asynccontextmanager
async def _serve(settings: Settings, port: int = 0) -> AsyncIterator[str]:
    """A gateway built from ``settings`` (with ``mode=SANDBOX``: the embedded one)."""
    idle = replace(settings, store=IDLE_STORE, sync=IDLE_SYNC)
    async with serve_app(create_app(idle), port) as url:
        yield url


async def test_the_embedded_sandbox_is_reachable_through_the_gateway(
    http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gateway.app")
    async with _serve(Settings(mode=Mode.SANDBOX)) as url:
        [started] = [
            r for r in caplog.records if r.message == "embedded sandbox started"
        ]
        sandbox_url = started.__dict__["url"]
        async with http.get(url + "/_sandbox/catalog") as response:
            assert response.status == 200
            through = await response.json()
        async with http.get(sandbox_url + "/_sandbox/catalog") as response:
            assert await response.json() == through
        assert len(through["products"]) >= 40

        async with http.delete(url + "/_sandbox/requests") as response:
            assert response.status == 204
        _, body = await _post(http, url, '{ product(sku: "APP-1000") { sku } }')
        assert body["data"]["product"] == {"sku": "APP-1000"}
        faults = {"trustoo": {"latencyMs": 5}}
        async with http.put(url + "/_sandbox/faults", json=faults) as response:
            assert response.status == 200
            assert (await response.json())["trustoo"]["latencyMs"] == 5
        async with http.put(url + "/_sandbox/faults", data=b"[1]") as response:
            assert response.status == 400
        async with http.put(
            url + "/_sandbox/faults", data=b"{" + b" " * 100_000 + b"}"
        ) as response:
            assert response.status == 413
        await _post(http, url, "{ reviews(first: 1) { edges { cursor } } }")
        async with http.get(
            url + "/_sandbox/requests", params={"provider": "trustoo"}
        ) as response:
            assert response.status == 200
            logged = await response.json()
        assert logged
        assert {e["provider"] for e in logged} == {"trustoo"}
        for escape in ("/_sandbox/../trustoo/", "/_sandbox/%2e%2e/trustoo/"):
            async with http.get(url + escape) as response:
                assert response.status == 404


async def _post(
    http: aiohttp.ClientSession, url: str, query: str
) -> tuple[int, dict[str, Any]]:
    async with http.post(url + "/graphql", json={"query": query}) as response:
        return response.status, await response.json()


async def test_the_sandbox_door_is_closed_without_an_embedded_sandbox(
    gateway: Gateway,
) -> None:
    for method in ("GET", "PUT", "DELETE"):
        async with gateway.http.request(
            method, gateway.url + "/_sandbox/catalog"
        ) as response:
            assert response.status == 404
    assert gateway.calls() == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_serve_prints_where_the_embedded_sandbox_is() -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env["GATEWAY_STORE_PATH"] = ":memory:"  # not the checkout's data/ directory
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway.cli",
        "serve",
        "--port",
        str(port),
        env=env,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    assert process.stderr is not None
    plain: list[str] = []
    try:
        async with asyncio.timeout(60):
            while not plain:
                line = (await process.stderr.readline()).decode()
                assert line, "serve exited before printing the sandbox"
                if line.startswith("reviews-gateway:"):
                    plain.append(line)
    finally:
        process.terminate()
        await process.wait()
    [line] = plain
    assert re.search(r"embedded sandbox at http://127\.0\.0\.1:\d+\b", line), line
    assert f"http://127.0.0.1:{port}/_sandbox/" in line


def test_the_readme_documents_healthz_and_the_sandbox_door() -> None:
    readme = README.read_text()
    assert "GET /healthz" in readme
    section = readme[readme.index("GET /healthz") :][:800]
    assert "no platform call" in section
    assert "/_sandbox/" in readme
    assert "catalog(first" in readme
    assert "shopRatingSummary" in readme
    assert "kinds" in readme


# -- 22: GraphiQL ------------------------------------------------------------------


def _readme_product_query() -> str:
    readme = README.read_text()
    start = readme.index("# A product page:")
    end = readme.index("\n\n", start)
    return readme[start:end]


async def _graphiql(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url + "/graphql", headers={"Accept": "text/html"}) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        return await response.text()


def _script_constant(page: str, name: str) -> Any:
    found = re.search(rf"const {name} = (.*?);\n", page)
    assert found, name
    return json.loads(found.group(1))


async def test_graphiql_explains_itself_when_its_scripts_cannot_load(
    gateway: Gateway,
) -> None:
    page = await _graphiql(gateway.http, gateway.url)
    assert "Loading..." not in page
    fallback = re.search(r'<div id="graphiql-offline"[^>]*>(.*?)</div>', page, re.S)
    assert fallback, "no fallback message"
    message = fallback.group(1)
    assert "could not load" in message
    assert "unpkg.com" in message
    assert "/graphql" in message
    assert "curl" in message
    # Shown by a check that runs whether or not the CDN scripts loaded.
    assert 'typeof GraphiQL === "undefined"' in page


async def test_graphiql_opens_on_the_readme_product_page_query(
    gateway: Gateway,
) -> None:
    page = await _graphiql(gateway.http, gateway.url)
    query = _script_constant(page, "DEFAULT_QUERY")
    assert query == _readme_product_query()
    data = await gateway.data(query)
    assert data["product"]["name"]
    assert data["product"]["reviews"]["edges"]


async def test_graphiql_carries_the_sandbox_key_header_in_sandbox_mode_only(
    http: aiohttp.ClientSession,
) -> None:
    async with _serve(Settings(mode=Mode.SANDBOX)) as url:
        page = await _graphiql(http, url)
    headers = _script_constant(page, "DEFAULT_HEADERS")
    assert headers == {"Authorization": f"Bearer {SERVER_KEY}"}
    async with _serve(Settings(mode=Mode.LIVE)) as url:
        live = await _graphiql(http, url)
    assert _script_constant(live, "DEFAULT_HEADERS") == {}
    assert SERVER_KEY not in live
