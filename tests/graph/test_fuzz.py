"""Fuzzing a real gateway over HTTP: every answer is coded JSON, never a 500 (issue 9).

Hypothesis generates raw bodies (bytes, JSON of every shape, request-shaped objects
with odd members), odd headers and GET parameters, and, with hypothesis-graphql,
valid queries and mutations from the gateway's own schema. Each one goes to a
gateway served by uvicorn on loopback in front of the sandbox. Bounded by
``max_examples`` so that the file runs in well under a minute.
"""

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from schema import schema
from tests.graph.conftest import Gateway, serve_gateway

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure reproduces
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# graphql-core's schema object: the printed SDL uses federation directives that a
# plain SDL parser does not know.
SDL = schema._schema
SCALARS = {
    "DateTime": st.datetimes().map(lambda moment: nodes.String(moment.isoformat())),
    "JSON": st.text(max_size=20).map(nodes.String),
    "_Any": st.one_of(
        st.text(max_size=20).map(nodes.String),
        st.sampled_from(["Product", "Review", "Nope"]).map(
            lambda name: nodes.Object(
                [
                    nodes.graphql.ObjectFieldNode(
                        name=nodes.graphql.NameNode(value="__typename"),
                        value=nodes.String(name),
                    )
                ]
            )
        ),
    ),
}
JSON_MEDIA = {"application/json", "application/graphql-response+json"}

_header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"),
    max_size=40,
)
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
_graphql_text = st.one_of(
    queries(SDL, custom_scalars=SCALARS),
    st.text(max_size=200),
    st.sampled_from(["{", "}", "{ providers { provider } }", "query ($a: Int) { x }"]),
)
_request_object = st.fixed_dictionaries(
    {},
    optional={
        "query": st.one_of(_graphql_text, _json),
        "variables": _json,
        "operationName": _json,
        "extensions": _json,
    },
)
_deep = st.integers(1, 1500).map(lambda n: "[" * n + "]" * n)
_body = st.one_of(
    st.binary(max_size=300),
    _json.map(json.dumps),
    _request_object.map(json.dumps),
    _deep,
    st.integers(4000, 6000).map(
        lambda n: '{"query": "{ x }", "variables": 1%s}' % ("0" * n)
    ),
).map(lambda body: body.encode() if isinstance(body, str) else body)
_content_type = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "application/graphql-response+json",
            "text/plain",
            "multipart/form-data",
            "application/x-www-form-urlencoded",
            "",
        ]
    ),
    _header_text,
)
_accept = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/graphql-response+json",
            "application/graphql-response+json, application/json;q=0.9",
            "*/*",
            "text/xml",
            "application/json;q=abc",
        ]
    ),
    _header_text,
)
_authorization = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "Bearer sandbox-server-key",
            "Bearer nope",
            "Bearer sandbox-server-k\xe9y",
            "Basic x",
        ]
    ),
    _header_text,
)


def _headers(
    content_type: str | None, accept: str, authorization: str | None
) -> dict[str, str]:
    headers = {"Accept": accept}
    if content_type is not None:
        headers["Content-Type"] = content_type
    if authorization is not None:
        headers["Authorization"] = authorization
    return headers


async def _check(response: aiohttp.ClientResponse) -> None:
    """The properties every answer has, whatever was asked."""
    raw = await response.read()
    assert response.status < 500, raw[:300]
    assert response.content_type in JSON_MEDIA, (response.status, raw[:300])
    body = json.loads(raw)
    assert isinstance(body, dict)
    for error in body.get("errors", []):
        code = (error.get("extensions") or {}).get("code")
        assert isinstance(code, str), error
        assert code != "INTERNAL_SERVER_ERROR", error
    if response.status >= 400:
        assert body["errors"]


@pytest.fixture
async def fuzzed(http: aiohttp.ClientSession) -> AsyncIterator[Gateway]:
    async with serve_gateway(http, max_body_bytes=64 * 1024) as running:
        yield running


@FUZZ
@given(
    body=_body, content_type=_content_type, accept=_accept, authorization=_authorization
)
async def test_raw_posts_answer_coded_json(
    fuzzed: Gateway,
    body: bytes,
    content_type: str,
    accept: str,
    authorization: str | None,
) -> None:
    headers = _headers(content_type, accept, authorization)
    async with fuzzed.http.post(
        fuzzed.url + "/graphql", data=body, headers=headers
    ) as response:
        await _check(response)


_params = st.fixed_dictionaries(
    {"query": _graphql_text},
    optional={
        "variables": st.one_of(_json.map(json.dumps), st.text(max_size=50), _deep),
        "operationName": st.text(max_size=20),
        "extensions": st.one_of(_json.map(json.dumps), st.text(max_size=50)),
    },
)


@FUZZ
@given(params=_params, accept=_accept)
async def test_gets_answer_coded_json(
    fuzzed: Gateway, params: dict[str, str], accept: str
) -> None:
    async with fuzzed.http.get(
        fuzzed.url + "/graphql", params=params, headers={"Accept": accept}
    ) as response:
        await _check(response)


@FUZZ
@given(
    document=st.one_of(
        queries(SDL, custom_scalars=SCALARS), mutations(SDL, custom_scalars=SCALARS)
    ),
    key=st.sampled_from([None, "sandbox-server-key"]),
)
async def test_generated_operations_answer_coded_json(
    fuzzed: Gateway, document: str, key: str | None
) -> None:
    if key is not None and document.lstrip().startswith("mutation"):
        key = None  # writes are refused anonymously: nothing written, still checked
    headers = _headers("application/json", "application/json", key and f"Bearer {key}")
    payload: dict[str, Any] = {"query": document}
    async with fuzzed.http.post(
        fuzzed.url + "/graphql", json=payload, headers=headers
    ) as response:
        await _check(response)
