"""A real gateway (uvicorn) on the sandbox (aiohttp), both on loopback."""

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import uvicorn
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.config import Settings, StoreSettings, SyncSettings
from gateway.sandbox import sandbox_settings
from sandbox.mayar import MayarSettings as SimulatedMayar
from sandbox.server import RunningSandbox, run_simulators

SERVER_KEY = "sandbox-server-key"
IDLE_STORE = StoreSettings(path=":memory:")
IDLE_SYNC = SyncSettings(enabled=False)
"""A review index that never fills: the gateway reads every platform live."""


@dataclass
class Gateway:
    """A running gateway and the sandbox behind it."""

    url: str
    sandbox: RunningSandbox
    http: aiohttp.ClientSession

    async def query(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        key: str | None = None,
        accept: str = "application/json",
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Accept": accept}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        async with self.http.post(
            self.url + "/graphql",
            json={"query": query, "variables": dict(variables or {})},
            headers=headers,
        ) as response:
            return response.status, await response.json(content_type=None)

    async def data(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        key: str | None = None,
    ) -> dict[str, Any]:
        status, body = await self.query(query, variables, key=key)
        assert status == 200, body
        assert "errors" not in body, body["errors"]
        return body["data"]

    def calls(self, provider: str | None = None) -> list[Any]:
        return self.sandbox.log.entries(provider)


@asynccontextmanager
async def serve_gateway(
    http: aiohttp.ClientSession,
    adjust: Callable[[Settings], Settings] = lambda settings: settings,
    **overrides: Any,
) -> AsyncIterator[Gateway]:
    """The sandbox (no Mayar rate limit unless asked) and a gateway in front of it.

    ``overrides`` replace gateway settings; ``adjust`` may change the platforms'.
    Unless ``store`` or ``sync`` is given, the review index is an idle one in
    memory: every read goes to the platforms (the live path these tests cover).
    """
    overrides.setdefault("store", IDLE_STORE)
    overrides.setdefault("sync", IDLE_SYNC)
    simulator_settings = overrides.pop(
        "simulators", {"mayar": SimulatedMayar(rate_limit_per_minute=None)}
    )
    async with run_simulators(settings=simulator_settings) as running:
        app = create_app(adjust(sandbox_settings(running, **overrides)))
        async with serve_app(app) as url:
            yield Gateway(url, running, http)


@asynccontextmanager
async def serve_app(app: Starlette, port: int = 0) -> AsyncIterator[str]:
    """``app`` served by a real uvicorn on 127.0.0.1 (``port`` 0: any free); its URL."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="on", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def gateway(http: aiohttp.ClientSession) -> AsyncIterator[Gateway]:
    async with serve_gateway(http) as running:
        yield running
