"""What ``reviews-gateway serve`` prints: JSON log lines, nothing secret (item 4).

The gateway runs as the real command, in a subprocess, in front of a sandbox on
loopback; every line it prints (stdout and stderr) is read back.
"""

import asyncio
import json
import logging
import os
import signal
import socket
import sys
from typing import Any

import aiohttp
import pytest
import uvicorn
from graphql import GraphQLError, OperationDefinitionNode, parse

from gateway.logs import UVICORN_LOG_CONFIG, JsonFormatter
from sandbox.server import TRUSTPILOT_TOKEN_PATH, RunningSandbox
from schema import schema

SERVER_KEY = "sandbox-server-key"
PRODUCT = "query ($sku: String!) { product(sku: $sku) { ratingSummary { count } } }"
PRIVATE = """query ($statuses: [ReviewStatus!]) {
  reviews(first: 5, filter: {providers: [TRUSTPILOT], statuses: $statuses}) {
    edges { node { id customer { email } } }
  }
}"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _wait_ready(http: aiohttp.ClientSession, url: str, server: Any) -> None:
    for _ in range(400):
        if server.returncode is not None:
            raise AssertionError("the gateway exited at start-up")
        try:
            async with http.get(url + "/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("the gateway did not start")


async def _served_lines(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> list[str]:
    """Run the gateway, make the calls of the test, stop it; what it printed."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway.cli",
        "serve",
        "--sandbox-url",
        sandbox.base_url,
        "--port",
        str(port),
        # The sync runs and logs too (its lines are checked with the rest), on a
        # store in memory rather than the checkout's data/ directory.
        env={**os.environ, "GATEWAY_STORE_PATH": ":memory:"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await _wait_ready(http, url, server)
        sku = sandbox.catalog.products[0].sku
        get = {"query": PRODUCT, "variables": json.dumps({"sku": sku})}
        async with http.get(url + "/graphql", params=get) as response:
            assert response.status == 200
            assert "errors" not in await response.json()
        private = {"query": PRIVATE, "variables": {"statuses": ["HIDDEN"]}}
        headers = {"Authorization": f"Bearer {SERVER_KEY}"}
        async with http.post(
            url + "/graphql", json=private, headers=headers
        ) as response:
            assert response.status == 200
            body = await response.json()
            assert "errors" not in body, body
        bad = {"query": PRODUCT, "variables": json.dumps({"sku": 7})}
        async with http.get(url + "/graphql", params=bad) as response:
            assert response.status == 200  # a variable error, logged by code only
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(server.communicate(), timeout=30)
    return output.decode().splitlines()


async def test_log_lines_are_json_without_urls_queries_variables_or_secrets(
    sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    lines = await _served_lines(sandbox, http)
    tokens = [e for e in sandbox.log.entries() if e.path.endswith("/token")]
    assert tokens, "the calls above fetch platform tokens"
    credentials = sandbox.catalog.credentials
    secrets = [
        SERVER_KEY,
        credentials.trustpilot.api_key,
        credentials.trustpilot.api_secret,
        credentials.trustpilot.password,
        credentials.etrusted.client_secret,
        credentials.trustoo.private_token,
        credentials.mayar.api_key,
        credentials.mayar.read_only_api_key,
    ]
    forbidden = [
        sandbox.base_url + "/trustpilot" + TRUSTPILOT_TOKEN_PATH,
        sandbox.base_url + "/etrusted-login/oauth/token",
        "?query=",
        "query=",
        sandbox.catalog.products[0].sku,
        *secrets,
    ]
    leaks = [(word, line) for line in lines for word in forbidden if word in line]
    assert leaks == []
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    requests = [e for e in entries if e["message"] == "request"]
    seen = [(e["method"], e["path"], e["status"]) for e in requests]
    graphql = [("GET", "/graphql", 200), ("POST", "/graphql", 200)]
    assert seen[-3:] == [*graphql, ("GET", "/graphql", 200)]
    assert set(seen[:-3]) == {("GET", "/healthz", 200)}
    assert all(isinstance(e["ms"], float) for e in requests)
    assert {e["logger"] for e in entries} >= {"uvicorn.error", "gateway.http"}


def test_uvicorn_access_lines_go_nowhere_under_the_gateway_log_config() -> None:
    # Even asked for its access log, uvicorn finds no handler and writes no line:
    # the JSON formatter never sees a URL with its query string.
    uvicorn.Config(_no_app, log_config=UVICORN_LOG_CONFIG, access_log=True)
    assert not logging.getLogger("uvicorn.access").hasHandlers()
    assert logging.getLogger("uvicorn.error").propagate


async def _no_app(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("not served")


def test_a_bug_is_logged_with_its_traceback_but_not_the_query(
    caplog: pytest.LogCaptureFixture,
) -> None:
    document = parse('{ product(sku: "secret-sku-1") { sku } }')
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    error = GraphQLError(
        "boom",
        nodes=[operation.selection_set.selections[0]],
        path=["product"],
        original_error=ValueError("boom"),
    )
    with caplog.at_level(logging.INFO):
        schema.process_errors([error])
    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert len(lines) == 1
    assert "secret-sku-1" not in lines[0]
    entry = json.loads(lines[0])
    assert (entry["level"], entry["path"]) == ("error", "product")
    assert "ValueError: boom" in entry["exception"]
