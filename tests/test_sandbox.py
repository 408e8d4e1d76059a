"""The sandbox contract of DESIGN.md section 4, over real HTTP."""

import asyncio
import hashlib
import hmac
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from gateway.app import create_app
from gateway.cli import main
from gateway.config import Mode, Settings
from sandbox.catalog import PROVIDERS, build_catalog
from sandbox.server import RunningSandbox, run_simulators
from tests.graph.conftest import serve_app

Probe = Callable[
    [aiohttp.ClientSession, RunningSandbox], Awaitable[aiohttp.ClientResponse]
]


async def _trustpilot(
    http: aiohttp.ClientSession, sb: RunningSandbox
) -> aiohttp.ClientResponse:
    key = sb.catalog.credentials.trustpilot.api_key
    return await http.get(
        sb.url("trustpilot") + "/v1/business-units/find",
        params={"name": sb.catalog.credentials.trustpilot.business_unit_name},
        headers={"apikey": key},
    )


async def _etrusted(
    http: aiohttp.ClientSession, sb: RunningSandbox
) -> aiohttp.ClientResponse:
    creds = sb.catalog.credentials.etrusted
    return await http.post(
        sb.url("etrusted", 1) + "/oauth/token",
        data={
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "grant_type": "client_credentials",
            "audience": "https://api.etrusted.com",
        },
    )


async def _trustoo(
    http: aiohttp.ClientSession, sb: RunningSandbox
) -> aiohttp.ClientResponse:
    creds = sb.catalog.credentials.trustoo
    timestamp = str(int(time.time()))
    sign = hmac.new(
        creds.private_token.encode(),
        f"is_store_rating=1&timestamp={timestamp}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return await http.get(
        sb.url("trustoo") + "/api/v1/openapi/get_rating",
        params={"is_store_rating": "1"},
        headers={
            "Public-Token": creds.public_token,
            "Timestamp": timestamp,
            "Sign": sign,
        },
    )


async def _mayar(
    http: aiohttp.ClientSession, sb: RunningSandbox
) -> aiohttp.ClientResponse:
    key = sb.catalog.credentials.mayar.api_key
    return await http.get(
        sb.url("mayar") + "/hl/v2/merchants/reviews/stats",
        headers={"Authorization": f"Bearer {key}"},
    )


PROBES: dict[str, Probe] = {
    "trustpilot": _trustpilot,
    "etrusted": _etrusted,
    "mayar": _mayar,
    "trustoo": _trustoo,
}


async def _put_faults(
    http: aiohttp.ClientSession, sb: RunningSandbox, body: object
) -> aiohttp.ClientResponse:
    return await http.put(sb.base_url + "/_sandbox/faults", json=body)


async def test_catalog_endpoint_answers_the_contract(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    async with http.get(sandbox.base_url + "/_sandbox/catalog") as response:
        assert response.status == 200
        body = await response.json()
    expected = build_catalog(1)
    creds = body["credentials"]
    assert set(creds) == set(PROVIDERS)
    assert set(creds["trustpilot"]) == {
        "apiKey",
        "apiSecret",
        "username",
        "password",
        "businessUnitId",
    }
    assert creds["etrusted"]["channelIds"] == list(
        expected.credentials.etrusted.channel_ids
    )
    assert set(creds["trustoo"]) == {"publicToken", "privateToken"}
    assert set(creds["mayar"]) == {"apiKey", "readOnlyApiKey"}
    products = body["products"]
    assert [p["sku"] for p in products] == [p.sku for p in expected.products]
    assert sum(1 for p in products if len(p["providers"]) == 4) >= 10
    for product, source in zip(products, expected.products, strict=True):
        assert product["trustooProductId"] == source.trustoo_product_id
        assert product["mayarPaymentLinkId"] == source.mayar_payment_link_id
        assert {x.lower() for x in product["providers"]} == source.providers


@pytest.mark.parametrize("provider", sorted(PROBES))
async def test_injected_errors_use_the_platform_status_and_are_logged(
    sandbox: RunningSandbox, http: aiohttp.ClientSession, provider: str
) -> None:
    probe = PROBES[provider]
    async with await probe(http, sandbox) as healthy:
        assert healthy.status == 200
        if provider == "trustoo":  # its business errors also answer HTTP 200
            assert (await healthy.json())["code"] == 0
    async with await _put_faults(
        http, sandbox, {provider: {"errorRate": 1.0, "errorStatus": 502}}
    ) as response:
        assert response.status == 200
        assert (await response.json())[provider]["errorRate"] == 1.0
    async with await probe(http, sandbox) as failed:
        assert failed.status == 502
    async with await _put_faults(http, sandbox, {provider: {}}) as response:
        assert response.status == 200
    async with await probe(http, sandbox) as recovered:
        assert recovered.status == 200
    async with http.get(
        sandbox.base_url + "/_sandbox/requests", params={"provider": provider}
    ) as response:
        log = await response.json()
    assert [entry["status"] for entry in log] == [200, 502, 200]
    assert all(entry["provider"] == provider for entry in log)
    assert not log[0]["path"].startswith("/" + provider)


async def test_rate_limit_answers_429_with_retry_after(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    await _put_faults(http, sandbox, {"trustpilot": {"rateLimitPerMinute": 2}})
    statuses = []
    for _ in range(3):
        async with await _trustpilot(http, sandbox) as response:
            statuses.append(response.status)
            retry_after = response.headers.get("Retry-After")
    assert statuses == [200, 200, 429]
    assert retry_after is not None
    assert 1 <= int(retry_after) <= 61


async def test_malformed_bodies_are_not_json(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    await _put_faults(http, sandbox, {"mayar": {"malformedRate": 1.0}})
    async with await _mayar(http, sandbox) as response:
        assert response.status == 200
        with pytest.raises(ValueError, match=r".*"):
            await response.json()


async def test_timeouts_hang_and_latency_is_added(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    await _put_faults(
        http,
        sandbox,
        {"mayar": {"timeoutRate": 1.0, "hangMs": 5000}, "etrusted": {"latencyMs": 120}},
    )
    short = aiohttp.ClientTimeout(total=0.3)
    with pytest.raises(asyncio.TimeoutError):
        await http.get(
            sandbox.url("mayar") + "/hl/v2/merchants/reviews/stats", timeout=short
        )
    started = time.monotonic()
    async with await _etrusted(http, sandbox) as response:
        assert response.status == 200
    assert time.monotonic() - started >= 0.12
    logged = sandbox.log.entries("etrusted")[-1]
    assert logged.ms >= 120


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"yelp": {}}, "unknown provider 'yelp'"),
        ({"mayar": {"errorRate": 2}}, "errorRate must be a number from 0 to 1"),
        ({"mayar": {"errorStatus": 200}}, "errorStatus must be an HTTP error status"),
        ({"mayar": {"latency": 5}}, "unknown fault field(s): latency"),
        ({"mayar": {"rateLimitPerMinute": 0}}, "rateLimitPerMinute must be a positive"),
        ({"mayar": []}, "faults must be a JSON object"),
        ([], "body must be a JSON object"),
    ],
)
async def test_bad_fault_settings_are_refused_and_change_nothing(
    sandbox: RunningSandbox, http: aiohttp.ClientSession, body: object, message: str
) -> None:
    async with http.get(sandbox.base_url + "/_sandbox/faults") as response:
        before = await response.json()
    async with await _put_faults(
        http,
        sandbox,
        {"trustpilot": {"errorRate": 1.0}, **body} if isinstance(body, dict) else body,
    ) as response:
        assert response.status == 400
        assert message in (await response.json())["error"]
    async with http.get(sandbox.base_url + "/_sandbox/faults") as response:
        assert await response.json() == before


async def test_request_log_can_be_filtered_and_cleared(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    for probe in PROBES.values():
        async with await probe(http, sandbox):
            pass
    async with http.get(sandbox.base_url + "/_sandbox/requests") as response:
        assert {e["provider"] for e in await response.json()} == set(PROBES)
    async with http.get(
        sandbox.base_url + "/_sandbox/requests", params={"provider": "nope"}
    ) as response:
        assert response.status == 400
    async with http.delete(sandbox.base_url + "/_sandbox/requests") as response:
        assert response.status == 204
    async with http.get(sandbox.base_url + "/_sandbox/requests") as response:
        assert await response.json() == []


async def test_baseline_latency_survives_a_reset(http: aiohttp.ClientSession) -> None:
    async with run_simulators(latency_ms=80, providers={"mayar"}) as sb:
        await _put_faults(http, sb, {"mayar": {"errorRate": 1.0}})
        await _put_faults(http, sb, {"mayar": {}})
        async with http.get(sb.base_url + "/_sandbox/faults") as response:
            assert (await response.json())["mayar"]["latencyMs"] == 80
        async with await _mayar(http, sb) as response:
            assert response.status == 200
        assert sb.log.entries()[-1].ms >= 80


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_sandbox_command_serves_every_platform(
    http: aiohttp.ClientSession,
) -> None:
    port = _free_port()
    process = subprocess.Popen(  # noqa: ASYNC220 - a real server process, waited on below
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "sandbox",
            "--port",
            str(port),
            "--seed",
            "3",
            "--trustpilot-rate-limit",
            "5",
            "--trustpilot-hourly-limit",
            "0",
            "--mayar-rate-limit",
            "0",
            "--webhook-delay-scale",
            "0.01",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        body = None
        for _ in range(100):
            try:
                async with http.get(base + "/_sandbox/catalog") as response:
                    body = await response.json()
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
        assert body is not None
        assert body["seed"] == 3
        assert body["products"][0]["sku"] == build_catalog(3).products[0].sku
        assert body["rateLimits"] == {"trustpilot": [{"calls": 5, "windowS": 300}]}
        async with http.get(base + "/") as response:
            mounts = (await response.json())["providers"]
        assert set(mounts) == set(PROVIDERS)
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stderr is not None
        process.stderr.close()


@pytest.mark.parametrize(
    "flag",
    [
        ["--trustpilot-rate-limit", "-1"],
        ["--trustpilot-hourly-limit", "-5"],
        ["--mayar-rate-limit", "-1"],
        ["--webhook-delay-scale", "-0.5"],
    ],
)
def test_the_sandbox_command_refuses_negative_limits(flag: list[str]) -> None:
    assert main(["sandbox", *flag]) == 2


async def test_sandbox_settings_follow_the_sandbox_and_the_tuning() -> None:
    from gateway.config import settings_from
    from gateway.sandbox import sandbox_settings

    tuned = settings_from({}, {"GATEWAY_TRUSTPILOT_RATE_LIMIT_CALLS": "5000"})
    async with run_simulators(providers={"trustpilot", "mayar"}) as sb:
        settings = sandbox_settings(sb, **tuned.gateway_options())
    assert settings.configured_providers == ("trustpilot", "mayar")
    assert settings.trustpilot is not None
    assert settings.trustpilot.rate_limit_calls == 5000
    assert settings.trustpilot.base_url == sb.url("trustpilot") + "/"
    assert settings.mayar is not None
    assert settings.mayar.rate_limit_calls == 20, "the sandbox's own Mayar limit"


async def test_the_gateway_forwards_activity_reviews_and_webhooks(
    http: aiohttp.ClientSession,
) -> None:
    sku = build_catalog(1).on("mayar")[0].sku
    async with serve_app(create_app(Settings(mode=Mode.SANDBOX))) as url:
        activity = {"provider": "mayar", "action": "create", "sku": sku, "rating": 4}
        async with http.post(url + "/_sandbox/activity", json=activity) as response:
            assert response.status == 200
            made = await response.json()
        assert (made["provider"], made["status"]) == ("mayar", "published")
        async with http.post(url + "/_sandbox/activity", data=b"[") as response:
            assert response.status == 400
            assert "error" in await response.json()
        async with http.get(
            url + "/_sandbox/reviews", params={"provider": "mayar"}
        ) as response:
            held = {r["reviewId"]: r for r in await response.json()}
        assert held[made["reviewId"]]["rating"] == 4
        async with http.get(url + "/_sandbox/webhooks") as response:
            assert response.status == 200
            assert isinstance(await response.json(), list)
