"""Trustpilot's documented rate limits in the simulator, over real HTTP."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp

from gateway.sandbox import settings_from_catalog
from sandbox.catalog import ANCHOR, build_catalog
from sandbox.ratelimit import Window
from sandbox.server import run_simulators
from sandbox.trustpilot import TrustpilotSettings

CREDS = build_catalog(1).credentials.trustpilot
SUMMARY = f"/v1/product-reviews/business-units/{CREDS.business_unit_id}"
TOKEN = "/v1/oauth/oauth-business-users-for-applications/accesstoken"


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


async def _status(
    http: aiohttp.ClientSession, url: str, key: str = CREDS.api_key
) -> tuple[int, str | None]:
    async with http.get(url, params={"sku": "X"}, headers={"apikey": key}) as resp:
        await resp.read()
        return resp.status, resp.headers.get("Retry-After")


async def test_calls_over_a_window_get_429_with_retry_after_until_it_moves(
    http: aiohttp.ClientSession,
) -> None:
    clock = Clock(ANCHOR)
    limits = (Window(3, 60.0), Window(5, 3600.0))
    settings = {"trustpilot": TrustpilotSettings(rate_limits=limits)}
    async with run_simulators(
        providers={"trustpilot"}, clock=clock, settings=settings
    ) as sb:
        url = sb.url("trustpilot") + SUMMARY
        assert [await _status(http, url) for _ in range(3)] == [(200, None)] * 3
        assert await _status(http, url) == (429, "60")
        clock.now = ANCHOR + timedelta(seconds=45)
        assert await _status(http, url) == (429, "15")
        # Another key has windows of its own (even a wrong one: counted, then 401).
        assert await _status(http, url, "another-key") == (401, None)
        clock.now = ANCHOR + timedelta(seconds=60)
        assert [await _status(http, url) for _ in range(2)] == [(200, None)] * 2
        # The hourly window (5) is used up now, the minute one is not.
        status, wait = await _status(http, url)
        assert (status, wait) == (429, str(3600 - 60))
        log = sb.log.entries("trustpilot")
        assert [e.status for e in log].count(429) == 3


async def test_a_bearer_call_counts_against_the_key_its_token_was_issued_to(
    http: aiohttp.ClientSession,
) -> None:
    clock = Clock(ANCHOR)
    settings = {"trustpilot": TrustpilotSettings(rate_limits=(Window(2, 300.0),))}
    async with run_simulators(
        providers={"trustpilot"}, clock=clock, settings=settings
    ) as sb:
        base = sb.url("trustpilot")
        basic = base64.b64encode(f"{CREDS.api_key}:{CREDS.api_secret}".encode())
        async with http.post(
            base + TOKEN,
            data={"grant_type": "client_credentials"},
            headers={"Authorization": "Basic " + basic.decode()},
        ) as resp:
            assert resp.status == 200
            token = (await resp.json())["access_token"]
        private = f"/v1/private/product-reviews/business-units/{CREDS.business_unit_id}"
        bearer = {"Authorization": f"Bearer {token}"}
        async with http.get(base + private + "/reviews", headers=bearer) as resp:
            assert resp.status == 200
        async with http.get(base + private + "/reviews", headers=bearer) as resp:
            assert resp.status == 429
            assert resp.headers["Retry-After"] == "300"
            assert (await resp.json())["fault"]["detail"]["errorcode"] == (
                "policies.ratelimit"
            )


async def test_documented_limits_are_on_by_default_and_in_the_catalog(
    http: aiohttp.ClientSession,
) -> None:
    assert TrustpilotSettings().rate_limits == (
        Window(833, 300.0),
        Window(10_000, 3600.0),
    )
    async with (
        run_simulators() as sb,
        http.get(sb.base_url + "/_sandbox/catalog") as resp,
    ):
        catalog = await resp.json()
    assert catalog["rateLimits"] == {
        "mayar": [{"calls": 20, "windowS": 60}],
        "trustpilot": [
            {"calls": 833, "windowS": 300},
            {"calls": 10_000, "windowS": 3600},
        ],
    }
    settings = settings_from_catalog(sb.base_url, catalog)
    tp, ma = settings.trustpilot, settings.mayar
    assert (tp.rate_limit_calls, tp.rate_limit_window_s, tp.hourly_limit) == (
        833,
        300.0,
        10_000,
    )
    assert (ma.rate_limit_calls, ma.rate_limit_window_s, ma.hourly_limit) == (
        20,
        60.0,
        None,
    )


async def test_limits_switched_off_leave_the_catalog_and_the_gateway_limiter(
    http: aiohttp.ClientSession,
) -> None:
    settings = {"trustpilot": TrustpilotSettings(rate_limits=())}
    async with run_simulators(settings=settings) as sb:
        url = sb.url("trustpilot") + SUMMARY
        catalog = sb.sandbox.describe()
        statuses = {(await _status(http, url))[0] for _ in range(5)}
    assert statuses == {200}
    assert "trustpilot" not in catalog["rateLimits"]  # type: ignore[operator]
    gateway = settings_from_catalog(sb.base_url, catalog).trustpilot
    assert (gateway.rate_limit_calls, gateway.hourly_limit) == (None, None)
