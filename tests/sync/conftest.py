"""A sync over real HTTP: the sandbox, the sync's budgeted sessions, a real store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from gateway.config import Settings, StoreSettings, SyncSettings
from gateway.http import open_session
from gateway.metrics import Metrics
from gateway.providers.etrusted import EtrustedClient
from gateway.providers.mayar import MayarClient
from gateway.providers.trustoo import TrustooClient
from gateway.providers.trustpilot import TrustpilotClient
from gateway.records import Provider, Review
from gateway.sandbox import sandbox_settings
from gateway.store import ReviewStore, open_store
from gateway.sync.budget import Budget, budgets_for
from gateway.sync.service import SyncService
from gateway.sync.walks import ALL_REVIEWS, SyncClient, public
from sandbox.server import RunningSandbox

CLIENTS: Mapping[Provider, type[SyncClient]] = {
    Provider.TRUSTPILOT: TrustpilotClient,
    Provider.ETRUSTED: EtrustedClient,
    Provider.TRUSTOO: TrustooClient,
    Provider.MAYAR: MayarClient,
}
FAST = SyncSettings(interval_s=0.05, lock_ttl_s=1.0, assumed_calls_per_minute=100_000)
"""Short intervals (an incremental run every 50 ms) and budgets to match where a
platform documents no limit (the sandbox's Mayar with its limit off is one)."""

StoreOpener = Callable[[Path], Awaitable[ReviewStore]]


@pytest.fixture
async def open_test_store() -> AsyncIterator[StoreOpener]:
    """Opens the SQLite store at a path (as a restarted gateway would); all closed
    after the test."""
    opened: list[ReviewStore] = []

    async def opener(path: Path) -> ReviewStore:
        store = await open_store(StoreSettings(path=str(path)))
        opened.append(store)
        return store

    yield opener
    for store in opened:
        await store.close()


@pytest.fixture
async def store(open_test_store: StoreOpener, tmp_path: Path) -> ReviewStore:
    return await open_test_store(tmp_path / "reviews.sqlite3")


@dataclass
class Rig:
    """A started ``SyncService`` over the sandbox, and how to look at it."""

    running: RunningSandbox
    settings: Settings
    service: SyncService
    clients: dict[Provider, SyncClient]
    budgets: dict[Provider, Budget]
    store: ReviewStore

    def calls(self, provider: Provider) -> int:
        return len(self.running.log.entries(provider.value))


@asynccontextmanager
async def sync_rig(
    running: RunningSandbox,
    store: ReviewStore,
    *,
    providers: Sequence[Provider] = tuple(Provider),
    sync: SyncSettings = FAST,
    tuning: Mapping[Provider, Mapping[str, Any]] | None = None,
    metrics: Metrics | None = None,
    start: bool = True,
    **options: Any,
) -> AsyncIterator[Rig]:
    """The sync as the app wires it: budgets first, then the budgeted sessions."""
    settings = sandbox_settings(running, sync=sync)
    for provider, changes in (tuning or {}).items():
        tuned = replace(getattr(settings, provider.value), **changes)
        settings = replace(settings, **{provider.value: tuned})
    on_call = None if metrics is None else metrics.on_sync_call
    budgets = budgets_for(
        settings,
        on_call=on_call,
        **{k: options.pop(k) for k in ("monotonic", "sleep") if k in options},
    )
    async with AsyncExitStack() as stack:
        clients: dict[Provider, SyncClient] = {}
        for provider in providers:
            config = getattr(settings, provider.value)
            session = await stack.enter_async_context(
                open_session(config, (budgets[provider].middleware,))
            )
            clients[provider] = CLIENTS[provider](
                config, session, catalog=settings.catalog
            )
        service = SyncService(
            settings, store, clients, budgets=budgets, metrics=metrics, **options
        )
        rig = Rig(running, settings, service, clients, budgets, store)
        if start:
            await service.start()
        try:
            yield rig
        finally:
            await service.stop()


async def direct_clients(
    running: RunningSandbox, stack: AsyncExitStack
) -> dict[Provider, SyncClient]:
    """Clients of their own (no budget), to read the platforms directly."""
    settings = sandbox_settings(running)
    clients: dict[Provider, SyncClient] = {}
    for provider, kind in CLIENTS.items():
        config = getattr(settings, provider.value)
        session = await stack.enter_async_context(open_session(config))
        clients[provider] = kind(config, session, catalog=settings.catalog)
    return clients


async def eventually(
    check: Callable[[], Awaitable[bool]], *, within_s: float = 20.0
) -> None:
    """Wait until ``check()`` holds (polling), or fail after ``within_s`` seconds."""
    deadline = time.monotonic() + within_s
    while not await check():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.02)


async def platform_reviews(client: SyncClient) -> dict[str, Review]:
    """Every review of the platform read directly, as the index should hold it."""
    found: dict[str, Review] = {}
    position = None
    while True:
        page = await client.list_reviews(ALL_REVIEWS, position, 100)
        found.update((r.provider_review_id, public(r)) for r in page.items)
        if page.next is None:
            break
        position = page.next
    if isinstance(client, TrustpilotClient):
        threaded = [r for r in found.values() if r.conversation_id]
        threads = await client.conversations_by_ids(
            [r.conversation_id or "" for r in threaded]
        )
        for review, thread in zip(threaded, threads, strict=True):
            assert not isinstance(thread, Exception)
            reply = None if thread is None else thread.public_reply()
            found[review.provider_review_id] = replace(review, reply=reply)
    return found


async def held(
    store: ReviewStore, provider: Provider, ids: Sequence[str]
) -> list[Review | None]:
    return await store.get([(provider, i) for i in ids])
