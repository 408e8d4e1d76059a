"""GraphQL over HTTP, as the GraphQL-over-HTTP specification asks."""

import aiohttp
import pytest

from tests.graph.conftest import SERVER_KEY, Gateway

GRAPHQL_RESPONSE = "application/graphql-response+json"


async def test_get_and_post_both_answer_queries(gateway: Gateway) -> None:
    async with gateway.http.get(
        gateway.url + "/graphql",
        params={"query": "{ providers { provider } }"},
        headers={"Accept": "application/json"},
    ) as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        body = await response.json()
    assert len(body["data"]["providers"]) == 4


@pytest.mark.parametrize(
    ("accept", "status", "media"),
    [
        (GRAPHQL_RESPONSE, 400, GRAPHQL_RESPONSE),
        ("application/json", 200, "application/json"),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", 400, GRAPHQL_RESPONSE),
        ("*/*", 200, "application/json"),
    ],
)
async def test_request_errors_follow_the_negotiated_media_type(
    gateway: Gateway, accept: str, status: int, media: str
) -> None:
    for query in ("{ providers { ", "{ noSuchField }"):
        async with gateway.http.post(
            gateway.url + "/graphql", json={"query": query}, headers={"Accept": accept}
        ) as response:
            assert response.status == status
            assert response.content_type == media
            body = await response.json(content_type=None)
        assert "data" not in body  # a request error: nothing was executed
        assert body["errors"]


async def test_an_execution_error_keeps_its_data_entry(gateway: Gateway) -> None:
    status, body = await gateway.query(
        "{ reviews(first: 1000) { totalCount } }", accept=GRAPHQL_RESPONSE
    )
    assert status == 200
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["reviews"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unacceptable_media_and_bad_bodies_get_graphql_shaped_4xx(
    gateway: Gateway,
) -> None:
    url = gateway.url + "/graphql"
    async with gateway.http.post(
        url,
        json={"query": "{ providers { provider } }"},
        headers={"Accept": "text/xml"},
    ) as response:
        assert response.status == 406
    for body, headers in (
        (b"{not json", {"Content-Type": "application/json"}),
        (b'{"variables": {}}', {"Content-Type": "application/json"}),
        (b'{"query": 42}', {"Content-Type": "application/json"}),
        (b"query=x", {"Content-Type": "text/plain"}),
    ):
        async with gateway.http.post(url, data=body, headers=headers) as response:
            assert 400 <= response.status < 500
            assert (await response.json(content_type=None))["errors"]


async def test_graphiql_is_served_to_browsers(gateway: Gateway) -> None:
    async with gateway.http.get(
        gateway.url + "/graphql", headers={"Accept": "text/html"}
    ) as response:
        assert response.status == 200
        assert "graphiql" in (await response.text()).lower()


async def test_healthz_calls_no_platform(gateway: Gateway) -> None:
    async with gateway.http.get(gateway.url + "/healthz") as response:
        assert response.status == 200
        body = await response.json()
    assert body["status"] == "ok"
    assert body["providers"] == ["trustpilot", "etrusted", "trustoo", "mayar"]
    assert gateway.calls() == []


async def test_a_wrong_server_key_is_unauthenticated(gateway: Gateway) -> None:
    status, body = await gateway.query("{ providers { provider } }", key="nope")
    assert status == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    status, body = await gateway.query("{ providers { provider } }", key=SERVER_KEY)
    assert status == 200
    assert "errors" not in body


async def test_the_root_redirects_to_graphql(
    http: aiohttp.ClientSession, gateway: Gateway
) -> None:
    async with http.get(gateway.url + "/", allow_redirects=False) as response:
        assert response.status in (302, 307)
        assert response.headers["Location"].endswith("/graphql")


async def test_a_bad_variable_is_a_clear_error_not_a_masked_one(
    gateway: Gateway,
) -> None:
    status, body = await gateway.query(
        "query ($o: ReviewOrder) { reviews(first: 1, orderBy: $o) { totalCount } }",
        {"o": "SIDEWAYS"},
    )
    assert status == 200
    message = body["errors"][0]["message"]
    assert "SIDEWAYS" in message
    assert "Unexpected error" not in message
