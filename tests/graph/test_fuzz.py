"""Fuzzing a real gateway over HTTP: every answer is coded JSON, never a 500 (issue 9).

Hypothesis generates raw bodies (bytes, JSON of every shape, request-shaped objects
with odd members), odd headers and GET parameters, and, with hypothesis-graphql,
valid queries and mutations from the gateway's own schema. Each one goes to a
gateway served by uvicorn on loopback in front of the sandbox. Mutations sent with
the server key (some naming real reviews) run on a gateway and sandbox of their own,
which they may write to. Bounded by ``max_examples`` so that the file runs in about
25 s.
"""

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, nodes, queries

from schema import schema
from tests.graph.conftest import SERVER_KEY, Gateway, serve_gateway

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


@settings(FUZZ, max_examples=220)  # some of the file's time went to the writes below
@given(params=_params, accept=_accept)
async def test_gets_answer_coded_json(
    fuzzed: Gateway, params: dict[str, str], accept: str
) -> None:
    async with fuzzed.http.get(
        fuzzed.url + "/graphql", params=params, headers={"Accept": accept}
    ) as response:
        await _check(response)


@settings(FUZZ, max_examples=170)  # likewise
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
        key = None  # refused anonymously, nothing written (the server key's below)
    headers = _headers("application/json", "application/json", key and f"Bearer {key}")
    payload: dict[str, Any] = {"query": document}
    async with fuzzed.http.post(
        fuzzed.url + "/graphql", json=payload, headers=headers
    ) as response:
        await _check(response)


CODE = "fuzzUserErrorCode"
"""The alias under which every generated ``userErrors`` selection asks for ``code``."""
STABLE_CODE = re.compile(r"[A-Z][A-Z0-9_]*")
REAL_REVIEWS_PER_PROVIDER = 2
PROVIDERS = ("TRUSTPILOT", "ETRUSTED", "TRUSTOO", "MAYAR")
REAL_REVIEW = "@review:{}"
"""A placeholder the generated ids may hold: the test puts a real review's id there."""
WRITE_SCALARS = {
    **SCALARS,
    # Random ids stop at INVALID_ID; real ones take the writes to the platforms.
    "ID": st.one_of(
        st.text(max_size=20),
        st.integers(0, REAL_REVIEWS_PER_PROVIDER * len(PROVIDERS) - 1).map(
            REAL_REVIEW.format
        ),
    ).map(nodes.String),
}


class _AskUserErrorCodes(graphql.Visitor):
    def leave_field(self, node: graphql.FieldNode, *_: object) -> graphql.FieldNode:
        if node.name.value != "userErrors" or node.selection_set is None:
            return node
        code = graphql.FieldNode(
            alias=graphql.NameNode(value=CODE),
            name=graphql.NameNode(value="code"),
            arguments=(),
            directives=(),
        )
        selections = (*node.selection_set.selections, code)
        return graphql.FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=node.arguments,
            directives=node.directives,
            selection_set=graphql.SelectionSetNode(selections=selections),
        )


def _asking_user_error_codes(document: graphql.DocumentNode) -> str:
    """``document`` printed, each ``userErrors`` selection also selecting its code."""
    return graphql.print_ast(graphql.visit(document, _AskUserErrorCodes()))


def _user_error_codes(value: object) -> Iterator[object]:
    """The codes of every user error anywhere in a response's ``data``."""
    if isinstance(value, dict):
        if CODE in value:
            yield value[CODE]
        for child in value.values():
            yield from _user_error_codes(child)
    elif isinstance(value, list):
        for child in value:
            yield from _user_error_codes(child)


@dataclass
class Writable:
    """A gateway of its own (the server key's writes land in a throwaway sandbox)
    and the ids of some of its reviews, of every platform and status."""

    gateway: Gateway
    reviews: list[str]

    def with_real_ids(self, document: str) -> str:
        for index, review in enumerate(self.reviews):
            document = document.replace(f'"{REAL_REVIEW.format(index)}"', f'"{review}"')
        return document


@pytest.fixture
async def writable(http: aiohttp.ClientSession) -> AsyncIterator[Writable]:
    query = """query ($filter: ReviewFilter) {
      reviews(first: 2, filter: $filter) { edges { node { id } } } }"""
    statuses = ["PUBLISHED", "HIDDEN", "PENDING", "ARCHIVED", "REJECTED"]
    async with serve_gateway(http, max_body_bytes=64 * 1024) as running:
        reviews: list[str] = []
        for provider in PROVIDERS:
            filter_ = {"providers": [provider], "statuses": statuses}
            data = await running.data(query, {"filter": filter_}, key=SERVER_KEY)
            reviews += [e["node"]["id"] for e in data["reviews"]["edges"]]
        assert len(reviews) == REAL_REVIEWS_PER_PROVIDER * len(PROVIDERS)
        yield Writable(running, reviews)


@settings(FUZZ, max_examples=120)
@given(
    document=mutations(
        SDL, custom_scalars=WRITE_SCALARS, print_ast=_asking_user_error_codes
    )
)
async def test_generated_mutations_with_the_server_key_answer_coded_json(
    writable: Writable, document: str
) -> None:
    """Past the scope check, on real reviews too: every write runs, and whatever
    it refuses comes back coded."""
    gateway = writable.gateway
    headers = _headers("application/json", "application/json", f"Bearer {SERVER_KEY}")
    payload = {"query": writable.with_real_ids(document)}
    async with gateway.http.post(
        gateway.url + "/graphql", json=payload, headers=headers
    ) as response:
        await _check(response)
        body = await response.json(content_type=None)
    for error in body.get("errors", []):
        assert error["extensions"]["code"] not in ("FORBIDDEN", "UNAUTHENTICATED")
    for code in _user_error_codes(body.get("data")):
        assert isinstance(code, str), body
        assert STABLE_CODE.fullmatch(code), body
