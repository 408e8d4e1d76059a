"""Malformed requests: always a coded GraphQL error in JSON, never a 500 (issue 9).

Each case is one a fuzzer found answering a plain-text ``500 Internal Server Error``
(or an error without a code) before the gateway checked its input.
"""

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.graph.conftest import Gateway, serve_gateway

JSON_BODY = {"Content-Type": "application/json"}
GRAPHQL_RESPONSE = "application/graphql-response+json"
PROVIDERS = "{ providers { provider } }"


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _with_variables(raw_variables: str) -> bytes:
    return (f'{{"query": "{PROVIDERS}", "variables": {raw_variables}}}').encode()


MALFORMED_BODIES = {
    "not UTF-8": b'{"query": "\xff\xfe{ providers { provider } }"}',
    "UTF-16 garbage": b"\xff\xfe\xfa",
    "null": b"null",
    "a number": b"12",
    "a string": b'"{ providers { provider } }"',
    "true": b"true",
    "an empty array": b"[]",
    "an array": b'[{"query": "{ providers { provider } }"}]',
    "nested past the JSON parser": _nested(100_000).encode(),
    "variables nested deeply": _with_variables(f'{{"a": {_nested(500)}}}'),
    "a 5,000 digit integer": _with_variables('{"a": %s}' % ("7" * 5000)),
    "a 5,000 digit query field": b'{"query": %s}' % (b"9" * 5000),
    "empty": b"",
}


async def _post(
    gateway: Gateway, body: bytes, headers: dict[str, str] | None = None
) -> tuple[int, str, dict[str, Any]]:
    async with gateway.http.post(
        gateway.url + "/graphql", data=body, headers=headers or JSON_BODY
    ) as response:
        text = await response.text()
        try:
            answer = json.loads(text)
        except ValueError:
            answer = {"errors": [{"message": text[:100]}]}  # plain text: no code
        return response.status, response.content_type, answer


def _codes(body: dict[str, Any]) -> list[str | None]:
    return [error.get("extensions", {}).get("code") for error in body["errors"]]


async def test_malformed_json_bodies_answer_400_bad_request(gateway: Gateway) -> None:
    answers = {}
    for name, body in MALFORMED_BODIES.items():
        status, media, answer = await _post(gateway, body)
        answers[name] = (status, media, _codes(answer))
    expected = ("400", "application/json", ["BAD_REQUEST"])
    wrong = {
        name: got
        for name, got in answers.items()
        if (str(got[0]), got[1], got[2]) != expected
    }
    assert wrong == {}
    assert gateway.calls() == []


@pytest.mark.parametrize(
    ("params", "what"),
    [
        ({"variables": _nested(5000)}, "nested past the JSON parser"),
        ({"variables": f'{{"a": {_nested(500)}}}'}, "nested deeply"),
        ({"variables": '{"a": %s}' % ("1" * 5000)}, "a 5,000 digit integer"),
        ({"variables": "[1, 2]"}, "an array"),
        ({"variables": "{nope"}, "not JSON"),
        ({"extensions": '{"a": %s}' % ("1" * 5000)}, "a 5,000 digit integer"),
    ],
)
async def test_malformed_get_parameters_answer_400_bad_request(
    gateway: Gateway, params: dict[str, str], what: str
) -> None:
    async with gateway.http.get(
        gateway.url + "/graphql", params={"query": PROVIDERS, **params}
    ) as response:
        assert response.status == 400, what
        assert response.content_type == "application/json"
        body = await response.json()
    assert _codes(body) == ["BAD_REQUEST"]


async def test_transport_refusals_carry_the_bad_request_code(
    gateway: Gateway,
) -> None:
    cases: list[tuple[bytes, dict[str, str], int]] = [
        (b"{not json", JSON_BODY, 400),
        (b'{"variables": {}}', JSON_BODY, 400),
        (b'{"query": 42}', JSON_BODY, 400),
        (b'{"query": "{ providers { provider } }", "variables": 5}', JSON_BODY, 400),
        (b"query=x", {"Content-Type": "text/plain"}, 400),
    ]
    for body, headers, status in cases:
        got_status, media, answer = await _post(gateway, body, headers)
        assert (got_status, media, _codes(answer)) == (
            status,
            "application/json",
            ["BAD_REQUEST"],
        ), body
    async with gateway.http.get(
        gateway.url + "/graphql", params={"query": "mutation { x }"}
    ) as response:
        assert response.status == 400
        assert _codes(await response.json()) == ["BAD_REQUEST"]


async def test_a_non_ascii_server_key_is_a_bad_request_not_a_crash(
    gateway: Gateway,
) -> None:
    # aiohttp sends header values as latin-1: this is the byte 0xe9 on the wire.
    headers = {**JSON_BODY, "Authorization": "Bearer sandbox-server-k\xe9y"}
    status, media, body = await _post(
        gateway, json.dumps({"query": PROVIDERS}).encode(), headers
    )
    assert (status, media, _codes(body)) == (400, "application/json", ["BAD_REQUEST"])
    headers["Authorization"] = "Bearer \xe9"
    status, _, body = await _post(
        gateway, json.dumps({"query": PROVIDERS}).encode(), headers
    )
    assert (status, _codes(body)) == (400, ["BAD_REQUEST"]), body


async def test_a_well_formed_unknown_key_is_still_unauthenticated(
    gateway: Gateway,
) -> None:
    headers = {**JSON_BODY, "Authorization": "Bearer not-a-configured-key"}
    status, _, body = await _post(
        gateway, json.dumps({"query": PROVIDERS}).encode(), headers
    )
    assert (status, _codes(body)) == (401, ["UNAUTHENTICATED"]), body


@pytest.fixture
async def small_gateway(http: aiohttp.ClientSession) -> AsyncIterator[Gateway]:
    async with serve_gateway(http, max_body_bytes=1024) as running:
        yield running


async def test_a_body_over_the_limit_answers_413(small_gateway: Gateway) -> None:
    query = "{ providers { provider } }" + " " * 2000
    status, media, body = await _post(
        small_gateway, json.dumps({"query": query}).encode()
    )
    assert (status, media, _codes(body)) == (
        413,
        "application/json",
        ["PAYLOAD_TOO_LARGE"],
    )
    under = json.dumps({"query": "{ providers { provider } }" + " " * 900}).encode()
    status, _, body = await _post(small_gateway, under)
    assert status == 200
    assert len(body["data"]["providers"]) == 4
    long_get = {"query": "{ providers { provider } }" + " " * 2000}
    async with small_gateway.http.get(
        small_gateway.url + "/graphql", params=long_get
    ) as response:
        assert response.status == 413
        assert _codes(await response.json()) == ["PAYLOAD_TOO_LARGE"]


async def test_a_chunked_body_is_cut_off_at_the_limit(small_gateway: Gateway) -> None:
    sent = 0
    total = 64 * 1024 * 1024

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"query": "'
        while sent < total:
            sent += 65536
            yield b" " * 65536

    # No Content-Length: the gateway cannot know the size before reading.
    async with small_gateway.http.post(
        small_gateway.url + "/graphql", data=chunks(), headers=JSON_BODY
    ) as response:
        assert response.status == 413
        assert _codes(await response.json(content_type=None)) == ["PAYLOAD_TOO_LARGE"]
    assert sent < total  # the gateway stopped reading long before the end


async def test_parse_and_validation_errors_carry_codes(gateway: Gateway) -> None:
    cases = [
        ("{ providers { ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ providers { provider } } }", None, "GRAPHQL_PARSE_FAILED"),
        ("{ noSuchField }", None, "GRAPHQL_VALIDATION_FAILED"),
        (
            "query ($o: Nope) { providers { provider } }",
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (
            "{ reviews(first: %s) { totalCount } }" % ("1" * 5000),
            None,
            "GRAPHQL_VALIDATION_FAILED",
        ),
        ("{ providers" + " {" * 600 + " }" * 600 + " }", None, "GRAPHQL_PARSE_FAILED"),
        (
            "query ($f: Int) { reviews(first: $f) { totalCount } }",
            {"f": "many"},
            "BAD_USER_INPUT",
        ),
        (
            "query ($f: Int!) { reviews(first: $f) { totalCount } }",
            {},
            "BAD_USER_INPUT",
        ),
    ]
    for query, variables, code in cases:
        for accept, status in (("application/json", 200), (GRAPHQL_RESPONSE, 400)):
            got, body = await gateway.query(query, variables, accept=accept)
            assert (got, set(_codes(body))) == (status, {code}), query[:60]
            assert len(body["errors"][0]["message"]) < 500  # no 5,000 digit echo
    assert gateway.calls() == []


async def test_the_limit_codes_win_over_the_generic_ones(gateway: Gateway) -> None:
    deep = '{ product(sku: "x") ' + "{ reviews { edges { node { product " * 4
    deep += "{ sku }" + " } } } }" * 4 + " }"
    aliases = (
        "{ " + " ".join(f"a{i}: providers {{ provider }}" for i in range(40)) + " }"
    )
    large = "{ " + " ".join("providers { provider }" for _ in range(800)) + " }"
    for query, code in (
        (deep, "QUERY_TOO_DEEP"),
        (aliases, "QUERY_TOO_MANY_ALIASES"),
        (large, "QUERY_TOO_LARGE"),
    ):
        status, body = await gateway.query(query)
        assert (status, _codes(body)) == (200, [code])


async def test_malformed_entity_representations_are_bad_user_input(
    gateway: Gateway,
) -> None:
    query = "query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }"
    for representations in (
        ["a string"],
        [{"sku": "x"}],
        [{"__typename": "Nope", "sku": "x"}],
        [{"__typename": "Product"}],
        [{"__typename": "Product", "sku": 5}],
        [{"__typename": "Review", "id": "x", "extra": "y"}],
    ):
        status, body = await gateway.query(query, {"r": representations})
        assert (status, _codes(body)) == (200, ["BAD_USER_INPUT"]), representations
        assert body["errors"][0]["path"] == ["_entities"]
