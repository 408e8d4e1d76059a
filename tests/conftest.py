from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import aiohttp
import aiohttp.web_app
import pytest

from sandbox.server import RunningSandbox, run_simulators


@pytest.fixture(autouse=True)
def _forget_finished_apps() -> Iterator[None]:
    """Let each test's servers go once it ends.

    aiohttp memoises every (handler, apps) pair it built middlewares for in a
    module-level LRU of 1,024 entries, which keeps up to 1,024 finished
    ``web.Application``s (each sandbox's seeded stores with them) alive: over the
    suite that was 1.6 GB and garbage-collection pauses of seconds. A server
    process builds its apps once, so only a test run meets this.
    """
    yield
    built = getattr(aiohttp.web_app, "_cached_build_middleware", None)
    if built is not None:
        built.cache_clear()


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


class FakeClock:
    """Wall clock and monotonic clock that move only when a test says so."""

    def __init__(
        self, start: datetime = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    ) -> None:
        self._now = start
        self._monotonic = 1_000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds


@pytest.fixture
def clock() -> FakeClock:
    """A clock to inject into simulators (``clock=clock.now``) and clients."""
    return FakeClock()
