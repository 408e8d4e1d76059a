"""A gateway with a review index, on the sandbox, both real servers on loopback.

Until the sync is wired, ``FilledIndex`` is the index: the real SQLite store
(``:memory:``), filled once at start-up by reading every review of each indexed
platform (every status) through the gateway's own clients, and refreshed through
them after writes, as ``ReviewIndex`` promises. The gateway is the real app; its
lifespan hands requests the same services with ``index`` set (the lead's wiring in
gateway/app.py does the same with the sync service).
"""

import asyncio
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest_asyncio

from gateway.app import create_app
from gateway.config import Secret, StoreSettings, SyncSettings
from gateway.errors import ProviderError
from gateway.providers.trustpilot import TrustpilotClient
from gateway.records import (
    Provider,
    Review,
    ReviewKey,
    ReviewQuery,
    ReviewStatus,
)
from gateway.sandbox import sandbox_settings
from gateway.store import ReviewStore
from gateway.store.opening import open_store
from gateway.sync.service import SyncService
from gateway.sync.status import SyncPhase, SyncStatus
from resolvers.context import Services
from resolvers.conversations import public_reply
from sandbox.mayar import MayarSettings as SimulatedMayar
from sandbox.server import run_simulators
from sandbox.trustpilot import TrustpilotSettings as SimulatedTrustpilot
from tests.graph.conftest import IDLE_SYNC, Gateway, serve_app

ALL_REVIEWS = ReviewQuery(statuses=frozenset(ReviewStatus))
PAGE = 100


class FilledIndex:
    """A ``ReviewIndex`` over the SQLite store, filled by one walk of each platform."""

    def __init__(
        self, store: ReviewStore, services: Services, served: Collection[Provider]
    ) -> None:
        self._store = store
        self._services = services
        self.served = set(served)
        self.refreshed: list[tuple[Provider, tuple[ReviewKey, ...]]] = []
        self.failing = False
        """Make every refresh fail (a store or platform failure after a write)."""

    @property
    def store(self) -> ReviewStore:
        return self._store

    def serves(self, provider: Provider) -> bool:
        return provider in self.served

    async def status(self, provider: Provider) -> SyncStatus:
        phase = SyncPhase.LIVE if provider in self.served else SyncPhase.OFF
        return SyncStatus(
            provider,
            phase,
            await self._store.count(provider),
            last_error="GET https://api.example.test/v1/x?token=s3cret failed: 503",
        )

    async def refresh(self, provider: Provider, keys: Sequence[ReviewKey]) -> None:
        self.refreshed.append((provider, tuple(keys)))
        if self.failing:
            raise RuntimeError("the index is unavailable")
        found = await self._services.sources[provider].reviews_by_keys(keys)
        for item in found:
            if isinstance(item, ProviderError):
                raise item
        reviews = [r for r in found if isinstance(r, Review)]
        gone = [k.id for k, r in zip(keys, found, strict=True) if r is None]
        await self._store.upsert(await self._completed(reviews), seen_at=_now())
        if gone:
            await self._store.delete(provider, gone)

    async def fill(self) -> None:
        for provider in sorted(self.served, key=list(Provider).index):
            source = self._services.sources[provider]
            position: str | None = None
            while True:
                page = await source.list_reviews(ALL_REVIEWS, position, PAGE)
                reviews = await self._completed(list(page.items))
                await self._store.upsert(reviews, seen_at=_now())
                if page.next is None:
                    break
                position = page.next

    async def _completed(self, reviews: list[Review]) -> list[Review]:
        """Public fields only; a Trustpilot review's reply from its public thread."""
        client = self._services.conversations
        threads = [r.conversation_id for r in reviews if r.conversation_id]
        found = {}
        if threads and isinstance(client, TrustpilotClient):
            read = await client.conversations_by_ids(threads)
            found = dict(zip(threads, read, strict=True))
        done = []
        for review in reviews:
            thread = found.get(review.conversation_id or "")
            reply = review.reply
            if reply is None and thread is not None:
                assert not isinstance(thread, ProviderError), thread
                reply = public_reply(thread)
            done.append(replace(review, reply=reply, customer=None, raw={}))
        return done


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Indexed:
    """A gateway reading from ``index``, one reading live, and their sandbox."""

    gateway: Gateway
    index: FilledIndex
    live: Gateway
    """The same sandbox through a gateway without an index (today's reads)."""


@asynccontextmanager
async def serve_indexed(
    http: aiohttp.ClientSession,
    served: Collection[Provider] = tuple(Provider),
    **overrides: Any,
) -> AsyncIterator[Indexed]:
    """The sandbox and a gateway whose ``Services.index`` serves ``served``.

    The index is filled before the first request; the sandbox's request log is
    cleared after that, so it shows what requests cost. Mayar's and Trustpilot's
    rate limits are off (unless ``simulators`` says otherwise).
    """
    # The platforms' documented limits are the sync's business (its own tests):
    # these tests read each platform whole, live, for comparison.
    simulators = overrides.pop(
        "simulators",
        {
            "mayar": SimulatedMayar(rate_limit_per_minute=None),
            "trustpilot": SimulatedTrustpilot(rate_limits=()),
        },
    )
    # The app's own index stays off: this one's is the FilledIndex below.
    overrides.setdefault("sync", IDLE_SYNC)
    async with run_simulators(settings=simulators) as running:
        app = create_app(sandbox_settings(running, **overrides))
        original = app.router.lifespan_context
        made: list[FilledIndex] = []

        @asynccontextmanager
        async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
            async with original(app) as state:
                assert state is not None
                services: Services = state["services"]
                store = await open_store(StoreSettings(path=":memory:"))
                try:
                    index = FilledIndex(store, services, served)
                    await index.fill()
                    made.append(index)
                    yield {**state, "services": replace(services, index=index)}
                finally:
                    await store.close()

        app.router.lifespan_context = lifespan
        plain = create_app(sandbox_settings(running, **overrides))
        async with serve_app(app) as url, serve_app(plain) as live_url:
            running.log.clear()
            yield Indexed(
                Gateway(url, running, http), made[0], Gateway(live_url, running, http)
            )


SECRET = Secret("the-index-tests-know-this-cursor-secret")
"""The ``cursor_secret`` of the shared gateway: tests forge its cursors."""


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def indexed() -> AsyncIterator[Indexed]:
    """A gateway for one module's tests that write (not shared with the readers).

    Its tests run in the module's loop (``pytest.mark.asyncio(loop_scope=
    "module")``) and each leaves ``index.failing`` as it found it.
    """
    connector = aiohttp.TCPConnector(keepalive_timeout=1)
    async with (
        aiohttp.ClientSession(connector=connector) as http,
        serve_indexed(http) as running,
    ):
        yield running


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def shared() -> AsyncIterator[Indexed]:
    """One indexed gateway for every test that only reads (filled once).

    Its tests run in the session's loop (``pytest.mark.asyncio(loop_scope=
    "session")``); a test that changes ``index.served`` puts it back.
    """
    # A pooled connection idle past uvicorn's keep-alive (5 s) may be closed just
    # as it is reused: this session lets go of idle connections sooner.
    connector = aiohttp.TCPConnector(keepalive_timeout=1)
    async with (
        aiohttp.ClientSession(connector=connector) as http,
        serve_indexed(http, cursor_secret=SECRET) as running,
    ):
        yield running


QUIET_SYNC = SyncSettings(
    interval_s=3600.0,
    reconcile_interval_s=3600.0,
    lock_ttl_s=30.0,
    assumed_calls_per_minute=100_000,
)
"""A sync that backfills at once, then stays quiet for the test's length: every
call the request log shows after the backfill is a read's or a write's."""


@dataclass
class Synced:
    """A gateway whose index is the real ``SyncService``, backfilled."""

    gateway: Gateway
    service: SyncService
    live: Gateway


@asynccontextmanager
async def serve_synced(http: aiohttp.ClientSession) -> AsyncIterator[Synced]:
    """The sandbox (limits off) and a gateway indexed by the real sync.

    The app's own wiring (``gateway.app``: budgets, the sync's own budgeted
    clients, ``SyncService`` over the SQLite store); served once every platform is
    backfilled.
    """
    simulators = {
        "mayar": SimulatedMayar(rate_limit_per_minute=None),
        "trustpilot": SimulatedTrustpilot(rate_limits=()),
    }
    async with run_simulators(settings=simulators) as running:
        settings = sandbox_settings(
            running, sync=QUIET_SYNC, store=StoreSettings(path=":memory:")
        )
        app = create_app(settings)
        original = app.router.lifespan_context

        @asynccontextmanager
        async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
            async with original(app) as state:
                assert state is not None
                services: Services = state["services"]
                service = services.index
                assert isinstance(service, SyncService), "the app built no index"
                for _ in range(3000):
                    if all(service.serves(p) for p in Provider):
                        break
                    await asyncio.sleep(0.01)
                assert all(service.serves(p) for p in Provider), "no backfill"
                made.append(service)
                yield state

        made: list[SyncService] = []
        app.router.lifespan_context = lifespan
        plain = create_app(sandbox_settings(running, sync=IDLE_SYNC))
        async with serve_app(app) as url, serve_app(plain) as live_url:
            running.log.clear()
            yield Synced(
                Gateway(url, running, http), made[0], Gateway(live_url, running, http)
            )
