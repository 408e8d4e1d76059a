"""The edge of the gateway after review: list lengths, cut bodies, the image, GraphiQL.

Each test is a defect a review of issue 9's work found: one anonymous request could
hold the event loop with a long JSON array, a client that left mid-body got a 500
with a traceback, the Docker image ran uvicorn without the gateway's logging, and a
changed GraphiQL template only failed in a browser.
"""

import asyncio
import json
import logging
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from strawberry.http.ides import get_graphql_ide_html

from gateway.cli import _parser
from gateway.config import Settings
from schema import schema
from schema.view import GraphQLView
from tests.graph.conftest import Gateway, serve_gateway

ROOT = Path(__file__).resolve().parents[2]
RATED = """query ($r: [Int!]) {
  reviews(first: 1, filter: {ratings: $r}) { totalCount }
}"""
PROVIDERS = "{ providers { provider } }"


def _codes(body: dict[str, Any]) -> list[str | None]:
    return [error.get("extensions", {}).get("code") for error in body["errors"]]


async def _post(gateway: Gateway, body: object) -> tuple[int, dict[str, Any]]:
    async with gateway.http.post(gateway.url + "/graphql", json=body) as response:
        return response.status, await response.json(content_type=None)


# -- 1. the JSON's arrays hold at most max_list_items items in all -----------------


async def test_a_variable_list_longer_than_the_default_limit_is_refused(
    gateway: Gateway,
) -> None:
    body = {"query": RATED, "variables": {"r": [5] * 1001}}
    status, answer = await _post(gateway, body)
    assert (status, _codes(answer)) == (400, ["BAD_REQUEST"])
    assert "1000" in answer["errors"][0]["message"]
    assert gateway.calls() == []


async def test_max_list_items_bounds_the_arrays_of_the_body_and_of_a_get_together(
    http: aiohttp.ClientSession,
) -> None:
    async with serve_gateway(http, max_list_items=3) as gateway:
        status, answer = await _post(
            gateway, {"query": RATED, "variables": {"r": [5] * 3}}
        )
        assert (status, "errors" in answer) == (200, False)
        cases: list[object] = [
            {"query": RATED, "variables": {"r": [5] * 4}},
            {"query": PROVIDERS, "variables": {"a": {"b": [[1, 2, 3, 4]]}}},
            {"query": PROVIDERS, "extensions": {"x": [None] * 4}},
            {"query": PROVIDERS, "variables": {"a": [1, 2], "b": {"c": [3, 4]}}},
        ]
        for body in cases:
            status, answer = await _post(gateway, body)
            assert (status, _codes(answer)) == (400, ["BAD_REQUEST"]), body
        params = {"query": PROVIDERS, "variables": json.dumps({"a": [1, 2, 3, 4]})}
        async with http.get(gateway.url + "/graphql", params=params) as response:
            assert response.status == 400
            assert _codes(await response.json()) == ["BAD_REQUEST"]


async def test_objects_with_over_1000_members_in_all_are_refused(
    gateway: Gateway,
) -> None:
    # graphql-core took 1.6 s to report 4,000 unknown fields of one input object.
    filtered = (
        "query ($f: ReviewFilter) { reviews(first: 1, filter: $f) { totalCount } }"
    )
    unknown = {f"k{i}": 1 for i in range(600)}
    body = {"query": filtered, "variables": {"f": unknown, "g": dict(unknown)}}
    status, answer = await _post(gateway, body)
    assert (status, _codes(answer)) == (400, ["BAD_REQUEST"])
    assert "1000 members" in answer["errors"][0]["message"]
    assert gateway.calls() == []


def test_max_list_items_is_a_setting() -> None:
    assert Settings().max_list_items == 1000


# -- 2. a client that disconnects mid-body ----------------------------------------


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _recording(*names: str) -> Iterator[_Records]:
    """What the named loggers write from now on (uvicorn's do not propagate).

    Entered once the server runs: uvicorn's start-up resets its loggers' handlers.
    """
    records = _Records()
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(records)
        logger.setLevel(logging.INFO)
    try:
        yield records
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(records)
            logger.setLevel(level)


async def _cut_short(url: str, method: str, path: str) -> None:
    """A request that declares 1,000 body bytes, sends 10 and closes the socket."""
    host, port = url.removeprefix("http://").split(":")
    _, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        (
            f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            '{"query": '
        ).encode()
    )
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def _access_lines(records: _Records, path: str, count: int) -> list[int]:
    for _ in range(500):
        statuses = [
            r.__dict__["status"]
            for r in records.records
            if r.name == "gateway.access" and r.__dict__.get("path") == path
        ]
        if len(statuses) >= count:
            return statuses
        await asyncio.sleep(0.01)
    raise AssertionError(f"no access line for {path}")


async def test_a_body_cut_short_is_a_quiet_400(http: aiohttp.ClientSession) -> None:
    path = "/graphql"
    async with serve_gateway(http) as gateway:
        with _recording("uvicorn.error", "gateway.access") as logs:
            await _cut_short(gateway.url, "POST", path)
            statuses = await _access_lines(logs, path, 1)
            status, answer = await _post(gateway, {"query": PROVIDERS})
            assert (status, "errors" in answer) == (200, False)
    messages = [r.getMessage() for r in logs.records]
    assert [m for m in messages if "Exception in ASGI application" in m] == []
    assert [r for r in logs.records if r.exc_info] == []
    assert statuses[0] == 400


# -- 3. the Docker image runs the gateway's own command ---------------------------


def test_the_docker_image_runs_reviews_gateway_serve() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = dockerfile.split("\nCMD ", 1)[1].replace("\\\n", "")
    argv = json.loads(command.strip())
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert scripts["scripts"][argv[0]] == "gateway.cli:main"
    args = _parser().parse_args(argv[1:])
    assert (args.command, args.host, args.port) == ("serve", "0.0.0.0", 8000)


# -- 4. the GraphiQL page is built at start-up ------------------------------------


class _ChangedTemplate(GraphQLView):
    """A view whose Strawberry template lost one of the anchors the page edits."""

    @property
    def graphql_ide_html(self) -> str:
        page = get_graphql_ide_html(graphql_ide="graphiql")
        return page.replace("React.useState(parameters.headers)", "React.useState()")


def test_a_changed_graphiql_template_fails_at_start_up() -> None:
    with pytest.raises(RuntimeError, match="GraphiQL template changed"):
        _ChangedTemplate(
            schema,
            graphql_ide="graphiql",
            max_body_bytes=1000,
            max_response_bytes=1000,
            max_list_items=10,
        )
    # Without GraphiQL there is no page to build.
    _ChangedTemplate(
        schema,
        graphql_ide=None,
        max_body_bytes=1000,
        max_response_bytes=1000,
        max_list_items=10,
    )
