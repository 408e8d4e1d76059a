"""One platform failing never blanks the others."""

import aiohttp
import pytest

from gateway.simulators.control import FaultSettings
from gateway.simulators.mayar import MayarSettings as SimulatedMayar
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
