"""Server keys: unique names, and idempotency kept apart per key (issue 9, item 5)."""

import hashlib

import aiohttp
import pytest

from gateway.config import ApiKey, settings_from
from gateway.errors import ConfigError
from tests.graph.conftest import SERVER_KEY, Gateway, serve_gateway

CREATE = """
mutation ($input: CreateReviewInput!) {
  createReview(input: $input) { review { id } userErrors { code } clientMutationId }
}"""
OTHER_KEY = "another-server-key"


def _sha256(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def test_two_keys_with_one_name_stop_start_up_naming_it() -> None:
    keys = [
        {"name": "storefront", "sha256": _sha256("one")},
        {"name": "bff", "sha256": _sha256("two")},
        {"name": "bff", "sha256": _sha256("three")},
    ]
    with pytest.raises(ConfigError, match=r"api_keys\[2\].*'bff'"):
        settings_from({"api_keys": keys}, {})


def test_one_key_configured_twice_stops_start_up() -> None:
    keys = [
        {"name": "bff", "sha256": _sha256("one")},
        {"name": "bff-copy", "sha256": _sha256("one").upper()},
    ]
    with pytest.raises(ConfigError, match=r"api_keys\[1\].*'bff'"):
        settings_from({"api_keys": keys}, {})


async def _create(gateway: Gateway, key: str) -> tuple[str | None, list[str]]:
    sku = gateway.sandbox.catalog.products[0].sku
    variables = {
        "input": {
            "provider": "TRUSTOO",
            "sku": sku,
            "rating": 4,
            "authorName": "Ana W.",
            "body": "Warm and comfortable.",
            "clientMutationId": "order-42",
        }
    }
    payload = (await gateway.data(CREATE, variables, key=key))["createReview"]
    review = payload["review"]
    return review and review["id"], [e["code"] for e in payload["userErrors"]]


async def test_idempotency_is_kept_per_key_not_per_name(
    http: aiohttp.ClientSession,
) -> None:
    # A configured key named like the sandbox key: the same name, another key.
    other = ApiKey("sandbox", _sha256(OTHER_KEY), ("read:private", "write"))
    async with serve_gateway(http, api_keys=(other,)) as gateway:
        first, first_errors = await _create(gateway, SERVER_KEY)
        second, second_errors = await _create(gateway, OTHER_KEY)
        replay, _ = await _create(gateway, OTHER_KEY)
        creates = [
            c
            for c in gateway.calls("trustoo")
            if c.method == "POST" and c.path.endswith("/create_review")
        ]
    assert first_errors == second_errors == []
    assert first is not None
    assert second is not None
    assert second != first  # the other key's write ran: not the first key's replay
    assert replay == second  # and it is idempotent within that key
    assert len(creates) == 2
