"""Stale data, the request deadline, the per-platform trace, metrics and request ids."""

import asyncio
import json
import logging
from dataclasses import replace

import aiohttp

from gateway import trace
from gateway.config import Settings
from gateway.logs import JsonFormatter
from sandbox.control import FaultSettings
from tests.graph.conftest import SERVER_KEY, Gateway, serve_gateway

SUMMARY = """query ($sku: String!) { product(sku: $sku) {
  ratingSummary { count providers { provider count } } } }"""


async def test_expired_data_is_served_and_marked_stale_when_a_platform_fails(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_gateway(http, cache_ttl_s=0.2, stale_grace_s=60) as gateway:
        sku = gateway.sandbox.catalog.products[0].sku
        fresh = await gateway.data(SUMMARY, {"sku": sku})
        await asyncio.sleep(0.3)
        gateway.sandbox.sandbox.controls["trustoo"].apply(
            FaultSettings(error_rate=1.0, error_status=503)
        )
        status, body = await gateway.query(SUMMARY, {"sku": sku})
    assert status == 200
    assert body["data"] == fresh
    assert len(body["errors"]) == 1
    warning = body["errors"][0]["extensions"]
    assert warning["provider"] == "TRUSTOO"
    assert warning["stale"] is True
    assert warning["code"] == "PROVIDER_UNAVAILABLE"


async def test_a_slow_platform_is_cut_at_the_request_deadline(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_gateway(http, request_deadline_s=0.5) as gateway:
        gateway.sandbox.sandbox.controls["etrusted"].apply(
            FaultSettings(latency_ms=3000)
        )
        sku = gateway.sandbox.catalog.products[0].sku
        status, body = await gateway.query(SUMMARY, {"sku": sku})
    assert status == 200
    # eTrusted would answer after 3 s, inside its own 5 s timeout: only the
    # request's 0.5 s deadline leaves it out.
    providers = {
        p["provider"] for p in body["data"]["product"]["ratingSummary"]["providers"]
    }
    assert providers == {"TRUSTPILOT", "TRUSTOO", "MAYAR"}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["PROVIDER_TIMEOUT"]


async def _traced(gateway: Gateway, sku: str) -> dict[str, dict[str, object]]:
    async with gateway.http.post(
        gateway.url + "/graphql",
        json={"query": SUMMARY, "variables": {"sku": sku}},
        headers={"X-Reviews-Trace": "1", "Authorization": f"Bearer {SERVER_KEY}"},
    ) as response:
        body = await response.json()
    return {row["provider"]: row for row in body["extensions"]["providers"]}


async def test_the_trace_shows_calls_cache_hits_and_status(gateway: Gateway) -> None:
    sku = gateway.sandbox.catalog.products[0].sku
    cold = await _traced(gateway, sku)
    assert set(cold) == {"TRUSTPILOT", "ETRUSTED", "TRUSTOO", "MAYAR"}
    assert all(row["status"] == "ok" and row["calls"] >= 1 for row in cold.values())
    assert sum(int(r["calls"]) for r in cold.values()) == len(gateway.calls())
    warm = await _traced(gateway, sku)
    assert all(row["calls"] == 0 and row["cacheHits"] >= 1 for row in warm.values())
    _, body = await gateway.query(SUMMARY, {"sku": sku})
    assert "extensions" not in body or "providers" not in body["extensions"]


async def test_metrics_count_calls_errors_and_breaker_state(gateway: Gateway) -> None:
    sku = gateway.sandbox.catalog.products[0].sku
    gateway.sandbox.sandbox.controls["mayar"].apply(
        FaultSettings(error_rate=1.0, error_status=500)
    )
    await gateway.query(SUMMARY, {"sku": sku})
    async with gateway.http.get(gateway.url + "/metrics") as response:
        assert response.status == 200
        text = await response.text()
    assert 'gateway_upstream_calls_total{provider="trustpilot",status="200"}' in text
    # A 500 is not retried (only 429 and 502-504 are): one call.
    assert 'gateway_upstream_calls_total{provider="mayar",status="500"} 1.0' in text
    assert 'gateway_graphql_errors_total{code="PROVIDER_UNAVAILABLE"} 1.0' in text
    assert 'gateway_graphql_requests_total{status="200"} 1.0' in text
    assert 'gateway_cache_lookups_total{result="miss"}' in text


async def test_request_ids_are_echoed_and_logged(gateway: Gateway) -> None:
    async with gateway.http.post(
        gateway.url + "/graphql",
        json={"query": "{ providers { provider } }"},
        headers={"X-Request-ID": "abc-123"},
    ) as response:
        assert response.headers["X-Request-ID"] == "abc-123"
    async with gateway.http.post(
        gateway.url + "/graphql",
        json={"query": "{ providers { provider } }"},
        headers={"X-Request-ID": "not valid!" * 10},
    ) as response:
        assert len(response.headers["X-Request-ID"]) == 32
    trace.begin("req-42", None)
    record = logging.LogRecord(
        "gateway.http", logging.INFO, "", 0, "upstream call", None, None
    )
    record.provider = "mayar"
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-42"
    assert line["provider"] == "mayar"
    assert line["message"] == "upstream call"


async def test_a_rate_limited_platform_served_from_stale_data_traces_stale(
    http: aiohttp.ClientSession,
) -> None:
    def one_mayar_call_a_minute(settings: Settings) -> Settings:
        assert settings.mayar is not None
        mayar = replace(settings.mayar, rate_limit_calls=1, rate_limit_max_wait_s=0)
        return replace(settings, mayar=mayar)

    async with serve_gateway(
        http, one_mayar_call_a_minute, cache_ttl_s=0.2, stale_grace_s=60
    ) as gateway:
        sku = gateway.sandbox.catalog.on("mayar")[0].sku
        first = await _traced(gateway, sku)
        await asyncio.sleep(0.3)  # the cached values expire; the limiter is spent
        second = await _traced(gateway, sku)
    assert first["MAYAR"]["status"] == "ok"
    # The limiter refused, but the expired value stood in: nothing is missing.
    assert second["MAYAR"]["status"] == "stale"
