"""Honest partial data: the trace says what happened (issue 9, 17)."""

import asyncio
import time
from typing import Any

import aiohttp
import pytest

from gateway import trace
from gateway.simulators.mayar import MayarSettings as SimulatedMayar
from tests.graph.conftest import SERVER_KEY, Gateway, serve_gateway

MAYAR_AS_DOCUMENTED = {"mayar": SimulatedMayar(rate_limit_per_minute=20)}

CATALOG_PAGE = """
query Catalog($skus: [String!]!) {
  products(skus: $skus) {
    sku
    ratingSummary { count providers { provider } }
    reviews(first: 3) { edges { node { provider } } }
  }
}
"""


async def _fault(gateway: Gateway, faults: dict[str, Any]) -> None:
    async with gateway.http.put(
        gateway.sandbox.base_url + "/_sandbox/faults", json=faults
    ) as response:
        assert response.status == 200, await response.text()


async def _traced(
    gateway: Gateway, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    async with gateway.http.post(
        gateway.url + "/graphql",
        json={"query": query, "variables": variables},
        headers={"X-Reviews-Trace": "1", "Authorization": f"Bearer {SERVER_KEY}"},
    ) as response:
        assert response.status == 200
        body: dict[str, Any] = await response.json()
    return body


# --- 17: the trace's status names what happened; ms is wall time ---------------


async def test_the_trace_says_rate_limited_for_a_platform_the_limiter_refused(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_gateway(http, simulators=MAYAR_AS_DOCUMENTED) as gateway:
        skus = [p.sku for p in gateway.sandbox.catalog.products[:40]]
        body = await _traced(gateway, CATALOG_PAGE, {"skus": skus})
        mayar_calls = len(gateway.calls("mayar"))
    rows = {row["provider"]: row for row in body["extensions"]["providers"]}
    assert rows["MAYAR"]["status"] == "rate_limited"
    assert rows["MAYAR"]["calls"] == mayar_calls
    assert {rows[p]["status"] for p in ("TRUSTPILOT", "ETRUSTED", "TRUSTOO")} == {"ok"}


async def test_the_trace_says_error_stale_skipped_and_ok(
    http: aiohttp.ClientSession,
) -> None:
    query = """query ($sku: String!) { product(sku: $sku) {
      ratingSummary(providers: [TRUSTPILOT, ETRUSTED, TRUSTOO]) { count } } }"""
    async with serve_gateway(http, cache_ttl_s=0.2, stale_grace_s=60) as gateway:
        sku = next(
            p.sku for p in gateway.sandbox.catalog.products if len(p.providers) == 4
        )
        await gateway.data(query, {"sku": sku})
        await _fault(
            gateway,
            {
                "etrusted": {"errorRate": 1.0, "errorStatus": 500},
                "trustoo": {"errorRate": 1.0, "errorStatus": 500},
            },
        )
        await asyncio.sleep(0.3)  # the cached values expire
        body = await _traced(gateway, query, {"sku": sku})
    rows = {row["provider"]: row["status"] for row in body["extensions"]["providers"]}
    # Trustoo and eTrusted failed; both had expired values to serve instead.
    assert rows == {
        "TRUSTPILOT": "ok",
        "ETRUSTED": "stale",
        "TRUSTOO": "stale",
        "MAYAR": "skipped",
    }


async def test_the_trace_says_error_for_a_failure_with_nothing_to_serve(
    gateway: Gateway,
) -> None:
    await _fault(gateway, {"trustoo": {"errorRate": 1.0, "errorStatus": 500}})
    sku = gateway.sandbox.catalog.on("trustoo")[0].sku
    body = await _traced(
        gateway,
        "query ($sku: String!) { product(sku: $sku) { ratingSummary { count } } }",
        {"sku": sku},
    )
    rows = {row["provider"]: row["status"] for row in body["extensions"]["providers"]}
    assert rows["TRUSTOO"] == "error"
    assert rows["TRUSTPILOT"] == "ok"


async def test_the_trace_ms_is_wall_time_not_the_sum_of_concurrent_calls(
    gateway: Gateway,
) -> None:
    await _fault(gateway, {"trustoo": {"latencyMs": 50}})
    skus = [p.sku for p in gateway.sandbox.catalog.on("trustoo")[:40]]
    started = time.monotonic()
    body = await _traced(gateway, CATALOG_PAGE, {"skus": skus})
    elapsed_ms = (time.monotonic() - started) * 1000
    trustoo = next(
        row for row in body["extensions"]["providers"] if row["provider"] == "TRUSTOO"
    )
    # Trustoo answers one product per call, so these calls overlapped; the time
    # they took together cannot exceed the request's own.
    assert trustoo["calls"] >= 2 * len(skus)
    assert 0 < trustoo["ms"] <= elapsed_ms


def test_wall_time_is_the_union_of_call_intervals() -> None:
    entry = trace.ProviderTrace()
    for started, ended in ((1.0, 1.5), (1.2, 1.4), (1.3, 2.0), (3.0, 3.25)):
        entry.attempt(started, ended)
    assert entry.ms == pytest.approx(1250.0)
    assert entry.calls == 4
    assert trace.ProviderTrace().ms == 0.0
