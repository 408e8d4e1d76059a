"""What both benchmarks need: free ports, server processes, timed queries."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

NO_SANDBOX_LIMITS = (
    "--mayar-rate-limit",
    "0",
    "--trustpilot-rate-limit",
    "0",
    "--trustpilot-hourly-limit",
    "0",
)
"""``reviews-gateway sandbox`` flags that switch off the platforms' documented limits:
a benchmark of the gateway must not measure the platforms' rates."""
NO_GATEWAY_LIMITS = {
    "GATEWAY_TRUSTPILOT_RATE_LIMIT_CALLS": "1000000000",
    "GATEWAY_TRUSTPILOT_HOURLY_LIMIT": "0",
}
"""Lifts the gateway's own Trustpilot limiters; Mayar's follows the sandbox's."""
LIVE_PATH = {"GATEWAY_SYNC_ENABLED": "false"}
"""No review index: every read goes to the platforms (the fan-out path)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_until_up(http: aiohttp.ClientSession, url: str) -> None:
    for _ in range(300):
        try:
            async with http.get(url) as response:
                if response.status < 500:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


@asynccontextmanager
async def process(
    http: aiohttp.ClientSession,
    args: Sequence[str],
    probe: str,
    env: dict[str, str] | None = None,
) -> AsyncIterator[subprocess.Popen[bytes]]:
    """A ``gateway.cli`` process, up once ``probe`` answers; yields the process."""
    proc = subprocess.Popen(  # noqa: ASYNC220 - a server process we stop below
        [sys.executable, "-m", "gateway.cli", *args],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await wait_until_up(http, probe)
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def post(
    http: aiohttp.ClientSession, url: str, query: str, variables: dict[str, Any]
) -> float:
    started = time.perf_counter()
    async with http.post(url, json={"query": query, "variables": variables}) as r:
        body = await r.json()
    elapsed = time.perf_counter() - started
    if r.status != 200 or body.get("errors"):
        raise RuntimeError(f"query failed: {r.status} {body.get('errors')}")
    return elapsed


async def answer(
    http: aiohttp.ClientSession, url: str, query: str, variables: dict[str, Any]
) -> tuple[float, dict[str, Any]]:
    """Seconds taken and the body, whatever it holds (errors included)."""
    started = time.perf_counter()
    async with http.post(url, json={"query": query, "variables": variables}) as r:
        body = await r.json()
    return time.perf_counter() - started, body
