from collections.abc import AsyncIterator

import aiohttp
import pytest

from gateway.sandbox import RunningSandbox, run_simulators


@pytest.fixture
async def sandbox() -> AsyncIterator[RunningSandbox]:
    """All four simulators served on a free loopback port, fresh for each test."""
    async with run_simulators() as running:
        yield running


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain client session for talking to servers on loopback."""
    async with aiohttp.ClientSession() as session:
        yield session
