"""Deadlines and cancellation are the caller's business, never a platform's failure.

A query cut short by its own deadline must not open a platform's breaker for everybody
else; a half-open probe that is cancelled must not wedge the breaker; a coalesced load
must outlive the request that started it. Everything runs over real HTTP: faults go in
through ``PUT /_sandbox/faults``, breaker state comes out of ``/metrics``.

A request is cancelled here the way this stack cancels one: graphql-core cancels the
sibling fields of a non-null field that failed (``webhooks`` is ``[Webhook!]!`` and
raises when Trustoo fails), so every load those siblings were running is cancelled.
"""

import asyncio
import json
from dataclasses import replace
from typing import Any

import aiohttp

from gateway.config import Settings
from tests.graph.conftest import SERVER_KEY, Gateway, serve_gateway

SUMMARY = """query ($sku: String!) { product(sku: $sku) {
  ratingSummary { count providers { provider count } } } }"""

MAYAR_REVIEWS = """query ($sku: String!) { product(sku: $sku) {
  reviews(first: 5, filter: {providers: [MAYAR]}) { edges { node { id } } } } }"""

OWNER = """query ($sku: String!) {
  product(sku: $sku) {
    reviews(first: 5, filter: {providers: [MAYAR]}) { edges { node { id } } }
  }
  webhooks { id }
}"""
"""Reads Mayar reviews while ``webhooks`` fails on Trustoo: the failure cancels the
Mayar read (``webhooks`` is non-null, so the whole ``data`` becomes null)."""


async def raw_query(
    gateway: Gateway, query: str, variables: dict[str, Any], key: str | None = None
) -> tuple[int, str]:
    """Status and body text: a plain-text 500 must fail an assertion, not json()."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with gateway.http.post(
        gateway.url + "/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
    ) as response:
        return response.status, await response.text()


async def faults(gateway: Gateway, body: dict[str, Any]) -> None:
    async with gateway.http.put(
        gateway.sandbox.base_url + "/_sandbox/faults", json=body
    ) as response:
        assert response.status == 200, await response.text()


async def metric(gateway: Gateway, line_start: str) -> float | None:
    async with gateway.http.get(gateway.url + "/metrics") as response:
        text = await response.text()
    for line in text.splitlines():
        if line.startswith(line_start + " "):
            return float(line.split()[-1])
    return None


def tuned(provider: str, **changes: Any) -> Any:
    def adjust(settings: Settings) -> Settings:
        platform = getattr(settings, provider)
        return replace(settings, **{provider: replace(platform, **changes)})

    return adjust


def codes(body: dict[str, Any], provider: str) -> list[str]:
    return [
        e["extensions"]["code"]
        for e in body.get("errors", [])
        if e.get("extensions", {}).get("provider") == provider
    ]


def summary_providers(body: dict[str, Any]) -> set[str]:
    summary = body["data"]["product"]["ratingSummary"]
    return {p["provider"] for p in summary["providers"]}


# --- item 10: the caller's deadline is not the platform's failure -------------------


async def test_queries_cut_by_their_deadline_do_not_open_the_breaker(
    http: aiohttp.ClientSession,
) -> None:
    adjust = tuned("etrusted", breaker_failures=2, breaker_reset_s=600)
    async with serve_gateway(http, adjust=adjust, request_deadline_s=0.5) as gateway:
        sku = gateway.sandbox.catalog.products[0].sku
        await faults(gateway, {"etrusted": {"latencyMs": 2000}})
        for _ in range(4):  # twice the breaker's failure threshold
            status, body = await gateway.query(SUMMARY, {"sku": sku})
            assert status == 200
            assert codes(body, "ETRUSTED") == ["PROVIDER_TIMEOUT"], body
        await faults(gateway, {"etrusted": {}})
        status, body = await gateway.query(SUMMARY, {"sku": sku})
        breaker = await metric(gateway, 'gateway_breaker_state{provider="etrusted"}')
    assert status == 200
    assert codes(body, "ETRUSTED") == [], body["errors"]
    assert "ETRUSTED" in summary_providers(body)
    assert breaker in (None, 0.0), "the breaker never left closed"


async def test_the_platforms_own_timeouts_still_open_the_breaker(
    http: aiohttp.ClientSession,
) -> None:
    adjust = tuned("etrusted", breaker_failures=2, breaker_reset_s=600, timeout_s=0.3)
    async with serve_gateway(http, adjust=adjust, request_deadline_s=10) as gateway:
        sku = gateway.sandbox.catalog.products[0].sku
        await faults(gateway, {"etrusted": {"latencyMs": 2000}})
        for _ in range(2):
            _, body = await gateway.query(SUMMARY, {"sku": sku})
            assert codes(body, "ETRUSTED") == ["PROVIDER_TIMEOUT"], body
        gateway.sandbox.log.clear()
        _, body = await gateway.query(SUMMARY, {"sku": sku})
        breaker = await metric(gateway, 'gateway_breaker_state{provider="etrusted"}')
    assert codes(body, "ETRUSTED") == ["PROVIDER_UNAVAILABLE"], body
    assert gateway.calls("etrusted") == [], "an open breaker sends nothing"
    assert breaker == 2.0


# --- item 11: a cancelled half-open probe leaves the breaker usable -----------------


async def test_a_cancelled_half_open_probe_lets_the_next_probe_through(
    http: aiohttp.ClientSession,
) -> None:
    # The probe must still be in flight when Trustoo's failure (three attempts of
    # 300 ms, about 1 s) cancels it: its 8 s answer (inside its 9 s timeout) leaves
    # a slow box 7 s of margin. Breaker state changes only when a call asks, so the
    # sleep past breaker_reset_s can only be longer than needed, never too short.
    adjust = tuned(
        "mayar", breaker_failures=1, breaker_reset_s=0.3, max_retries=0, timeout_s=9
    )
    breaker_state = 'gateway_breaker_state{provider="mayar"}'
    async with serve_gateway(http, adjust=adjust) as gateway:
        sku = next(
            p.sku for p in gateway.sandbox.catalog.products if p.listed_on("mayar")
        )
        await faults(gateway, {"mayar": {"errorRate": 1.0, "errorStatus": 500}})
        _, body = await gateway.query(MAYAR_REVIEWS, {"sku": sku})
        assert codes(body, "MAYAR") == ["PROVIDER_UNAVAILABLE"]
        assert await metric(gateway, breaker_state) == 2.0
        await asyncio.sleep(0.4)  # past breaker_reset_s: the next call is a probe
        await faults(
            gateway,
            {
                "mayar": {"latencyMs": 8000},
                "trustoo": {"latencyMs": 300, "errorRate": 1.0, "errorStatus": 500},
            },
        )
        status, body = await gateway.query(OWNER, {"sku": sku}, key=SERVER_KEY)
        assert status == 200
        assert body["data"] is None, "webhooks failed, cancelling the Mayar probe"
        assert codes(body, "TRUSTOO") == ["PROVIDER_UNAVAILABLE"]
        # Half-open still: the probe went out and was cancelled, proving nothing
        # (had it answered, the breaker would be closed and this test moot).
        assert await metric(gateway, breaker_state) == 1.0
        await faults(gateway, {"mayar": {}, "trustoo": {}})
        status, body = await gateway.query(MAYAR_REVIEWS, {"sku": sku})
        breaker = await metric(gateway, breaker_state)
    assert status == 200
    assert "errors" not in body, body["errors"]
    assert body["data"]["product"]["reviews"]["edges"]
    assert breaker == 0.0, "the next probe succeeded and closed the breaker"


# --- item 12: a shared load outlives the request that started it -------------------


async def test_a_coalesced_load_outlives_its_cancelled_owner(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_gateway(http) as gateway:
        sku = next(
            p.sku for p in gateway.sandbox.catalog.products if p.listed_on("mayar")
        )
        await gateway.data("{ providers { provider } }")
        await faults(
            gateway,
            {
                "mayar": {"latencyMs": 3000},
                "trustoo": {"latencyMs": 1500, "errorRate": 1.0, "errorStatus": 500},
            },
        )
        coalesced = 'gateway_cache_lookups_total{result="coalesced"}'
        before = await metric(gateway, coalesced) or 0.0
        owner = asyncio.create_task(
            raw_query(gateway, OWNER, {"sku": sku}, key=SERVER_KEY)
        )
        await asyncio.sleep(0.3)  # the owner's Mayar read is in flight
        bystander = asyncio.create_task(raw_query(gateway, MAYAR_REVIEWS, {"sku": sku}))
        for _ in range(50):
            if (await metric(gateway, coalesced) or 0.0) > before:
                break
            await asyncio.sleep(0.02)
        joined = (await metric(gateway, coalesced) or 0.0) > before
        owner_status, owner_text = await owner
        status, text = await bystander
        mayar_reads = [c for c in gateway.calls("mayar") if "/reviews" in c.path]
    assert joined, "the bystander waited on the owner's load"
    assert owner_status == 200, owner_text
    assert json.loads(owner_text)["data"] is None, "the owner's read was cancelled"
    assert status == 200, text
    body = json.loads(text)
    assert "errors" not in body, body
    assert body["data"]["product"]["reviews"]["edges"]
    assert len(mayar_reads) == 1, "one shared read served both requests"


async def test_a_cancelled_field_leaves_its_siblings_shared_loads_alone(
    gateway: Gateway,
) -> None:
    """Two fields of one request share a dataloader future: cancelling one (its
    sibling ``reviews`` fails, and ``reviews`` is non-null) must not fail the other."""
    sku = gateway.sandbox.catalog.products[0].sku
    query = """query ($sku: String!) {
      a: product(sku: $sku) { ratingSummary { count } }
      b: product(sku: $sku) {
        ratingSummary { count }
        reviews(after: "not-a-cursor") { totalCount }
      }
    }"""
    status, text = await raw_query(gateway, query, {"sku": sku})
    assert status == 200, text
    body = json.loads(text)
    assert body["data"]["a"]["ratingSummary"]["count"] > 0
    assert body["data"]["b"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
