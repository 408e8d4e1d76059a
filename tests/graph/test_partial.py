"""One platform failing never blanks the others."""

import socket
from dataclasses import replace

import aiohttp
import pytest

from gateway.config import Settings
from sandbox.control import FaultSettings
from sandbox.mayar import MayarSettings as SimulatedMayar
from tests.graph.conftest import serve_gateway

PRODUCT = """
query ($sku: String!) {
  product(sku: $sku) {
    ratingSummary { count providers { provider count } }
    reviews(first: 10) { edges { node { provider } } }
  }
}
"""


@pytest.mark.parametrize(
    ("provider", "faults", "code", "status"),
    [
        (
            "trustoo",
            FaultSettings(error_rate=1.0, error_status=503),
            "PROVIDER_UNAVAILABLE",
            503,
        ),
        ("etrusted", FaultSettings(malformed_rate=1.0), "PROVIDER_UNAVAILABLE", None),
        (
            "trustpilot",
            FaultSettings(error_rate=1.0, error_status=500),
            "PROVIDER_UNAVAILABLE",
            500,
        ),
    ],
)
async def test_a_failing_platform_leaves_the_others_data_and_one_error(
    http: aiohttp.ClientSession,
    provider: str,
    faults: FaultSettings,
    code: str,
    status: int | None,
) -> None:
    async with serve_gateway(http) as gateway:
        gateway.sandbox.sandbox.controls[provider].apply(faults)
        sku = gateway.sandbox.catalog.products[0].sku
        http_status, body = await gateway.query(PRODUCT, {"sku": sku})
    assert http_status == 200
    product = body["data"]["product"]
    summary_providers = {p["provider"] for p in product["ratingSummary"]["providers"]}
    review_providers = {e["node"]["provider"] for e in product["reviews"]["edges"]}
    others = {"TRUSTPILOT", "ETRUSTED", "TRUSTOO", "MAYAR"} - {provider.upper()}
    assert summary_providers == others
    assert review_providers <= others
    assert review_providers
    errors = body["errors"]
    assert [e["extensions"]["provider"] for e in errors] == [provider.upper()]
    assert errors[0]["extensions"]["code"] == code
    assert errors[0]["extensions"].get("httpStatus") == status
    assert errors[0]["path"][0] == "product"


async def test_a_platforms_rate_limit_is_kept_without_collecting_a_429(
    http: aiohttp.ClientSession,
) -> None:
    limited = {"mayar": SimulatedMayar(rate_limit_per_minute=1)}
    async with serve_gateway(http, simulators=limited) as gateway:
        sku = gateway.sandbox.catalog.products[0].sku
        _, body = await gateway.query(PRODUCT, {"sku": sku})
        mayar_calls = gateway.calls("mayar")
    mayar_errors = [e for e in body["errors"] if e["extensions"]["provider"] == "MAYAR"]
    assert len(mayar_errors) == 1
    extensions = mayar_errors[0]["extensions"]
    assert extensions["code"] == "PROVIDER_RATE_LIMITED"
    assert extensions["retryAfter"] > 0
    assert "httpStatus" not in extensions, "refused in the gateway, not by Mayar"
    assert [c.status for c in mayar_calls] == [200]
    assert body["data"]["product"]["ratingSummary"]["count"] > 0


async def test_errors_carry_no_secret_or_upstream_url(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_gateway(http) as gateway:
        for control in gateway.sandbox.sandbox.controls.values():
            control.apply(FaultSettings(error_rate=1.0, error_status=401))
        sku = gateway.sandbox.catalog.products[0].sku
        _, body = await gateway.query(PRODUCT, {"sku": sku})
        creds = gateway.sandbox.catalog.credentials
    text = str(body)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"PROVIDER_AUTH_FAILED"}
    for secret in (
        creds.trustpilot.api_key,
        creds.trustpilot.api_secret,
        creds.trustpilot.password,
        creds.etrusted.client_secret,
        creds.trustoo.private_token,
        creds.mayar.api_key,
        gateway.sandbox.base_url,
    ):
        assert secret not in text


async def test_a_platforms_own_429_reports_its_retry_after(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_gateway(http) as gateway:
        # Trustoo documents no rate limit, so the gateway has no limiter for it: the
        # platform's 429 (and its Retry-After) reaches the caller, unretried past
        # the deadline.
        gateway.sandbox.sandbox.controls["trustoo"].apply(
            FaultSettings(rate_limit_per_minute=1)
        )
        skus = [p.sku for p in gateway.sandbox.catalog.on("trustoo")[:2]]
        await gateway.query(PRODUCT, {"sku": skus[0]})
        _, body = await gateway.query(PRODUCT, {"sku": skus[1]})
    errors = [e for e in body["errors"] if e["extensions"]["provider"] == "TRUSTOO"]
    assert errors
    assert errors[0]["extensions"]["code"] == "PROVIDER_RATE_LIMITED"
    assert errors[0]["extensions"]["httpStatus"] == 429
    assert errors[0]["extensions"]["retryAfter"] > 1
    assert body["data"]["product"]["ratingSummary"]["count"] > 0


async def test_a_platform_refusing_connections_leaves_the_others(
    http: aiohttp.ClientSession,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/mayar"

    def unreachable_mayar(settings: Settings) -> Settings:
        assert settings.mayar is not None
        return replace(settings, mayar=replace(settings.mayar, base_url=closed))

    async with serve_gateway(http, adjust=unreachable_mayar) as gateway:
        sku = gateway.sandbox.catalog.products[0].sku
        status, body = await gateway.query(PRODUCT, {"sku": sku})
    assert status == 200
    providers = {
        p["provider"] for p in body["data"]["product"]["ratingSummary"]["providers"]
    }
    assert providers == {"TRUSTPILOT", "ETRUSTED", "TRUSTOO"}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["PROVIDER_UNAVAILABLE"]
    assert body["errors"][0]["extensions"]["provider"] == "MAYAR"
