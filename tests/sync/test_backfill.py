"""The backfill: exactly every platform's reviews, once, resumable, within budget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from gateway.config import SyncSettings
from gateway.records import Provider, Review
from gateway.store import ReviewStore
from gateway.sync.status import SyncPhase
from sandbox.control import FaultSettings
from sandbox.mayar import MayarSettings as SimulatedMayar
from sandbox.server import RunningSandbox, run_simulators
from tests.sync.conftest import (
    StoreOpener,
    direct_clients,
    eventually,
    held,
    platform_reviews,
    sync_rig,
)

ONCE = SyncSettings(interval_s=60.0, lock_ttl_s=1.0)
"""No incremental run right after the backfill: the calls counted are its own."""


@pytest.fixture
async def unlimited() -> AsyncIterator[RunningSandbox]:
    """Mayar's per-minute limit off (its own test has it on); Trustpilot's on."""
    mayar = SimulatedMayar(rate_limit_per_minute=None)
    async with run_simulators(settings={"mayar": mayar}) as running:
        yield running


async def assert_holds_exactly(
    store: ReviewStore, running: RunningSandbox, providers: tuple[Provider, ...]
) -> dict[Provider, dict[str, Review]]:
    """The store holds exactly what the platforms hold; returns that."""
    platforms: dict[Provider, dict[str, Review]] = {}
    async with AsyncExitStack() as stack:
        for provider, client in (await direct_clients(running, stack)).items():
            if provider not in providers:
                continue
            expected = await platform_reviews(client)
            assert await store.count(provider) == len(expected), provider
            assert await held(store, provider, list(expected)) == list(
                expected.values()
            ), provider
            platforms[provider] = expected
    return platforms


async def test_the_backfill_holds_exactly_every_platforms_reviews(
    unlimited: RunningSandbox, store: ReviewStore
) -> None:
    async with sync_rig(unlimited, store, sync=ONCE) as rig:

        async def all_served() -> bool:
            return all(rig.service.serves(p) for p in Provider)

        await eventually(all_served)
        calls = {p: rig.calls(p) for p in Provider}
        statuses = {p: await rig.service.status(p) for p in Provider}
        allowance = {p: min(w.calls for w in b.windows) for p, b in rig.budgets.items()}
    refused = [e for e in unlimited.log.entries() if e.status == 429]
    assert refused == [], "no platform ever answered 429"
    for provider, status in statuses.items():
        assert calls[provider] <= allowance[provider], "within one window's budget"
        assert status.phase is SyncPhase.LIVE
        assert status.reviews > 1000
        assert status.calls == calls[provider], "every call went through the budget"
        assert status.last_success_at is not None
        assert 0 < status.budget_used <= 1
    # One list call per 100 reviews (Trustoo: two lanes), plus Trustpilot's threads.
    assert calls[Provider.MAYAR] == 14
    assert calls[Provider.ETRUSTED] <= 20
    assert calls[Provider.TRUSTPILOT] < 416, "inside the first 5-minute window"
    expected = await assert_holds_exactly(store, unlimited, tuple(Provider))
    threaded = [r for r in expected[Provider.TRUSTPILOT].values() if r.conversation_id]
    replied = [r for r in threaded if r.reply is not None]
    assert 0 < len(replied) < len(threaded), "public threads are replies, private not"


async def test_a_restart_on_the_same_store_serves_at_once_and_does_not_backfill(
    unlimited: RunningSandbox, open_test_store: StoreOpener, tmp_path: Path
) -> None:
    path = tmp_path / "reviews.sqlite3"
    first = await open_test_store(path)
    async with sync_rig(unlimited, first, sync=ONCE) as rig:

        async def all_served() -> bool:
            return all(rig.service.serves(p) for p in Provider)

        await eventually(all_served)
    backfill = {p: len(unlimited.log.entries(p.value)) for p in Provider}
    unlimited.log.clear()
    again = await open_test_store(path)
    fast = SyncSettings(interval_s=0.05, lock_ttl_s=1.0)
    async with sync_rig(unlimited, again, sync=fast, start=False) as rig:
        await rig.service.start()
        assert all(rig.service.serves(p) for p in Provider), "served at once"

        async def synced_twice() -> bool:
            return all(r.calls >= 2 for r in rig.budgets.values())

        await eventually(synced_twice)
        phases = {(await rig.service.status(p)).phase for p in Provider}
    assert phases == {SyncPhase.LIVE}
    for provider in Provider:
        assert rig.calls(provider) < backfill[provider] / 2, provider
    await assert_holds_exactly(again, unlimited, tuple(Provider))


async def test_an_interrupted_backfill_resumes_where_it_stopped(
    unlimited: RunningSandbox, open_test_store: StoreOpener, tmp_path: Path
) -> None:
    path = tmp_path / "reviews.sqlite3"
    control = unlimited.sandbox.controls["etrusted"]
    control.apply(FaultSettings(latency_ms=20))
    store = await open_test_store(path)
    async with sync_rig(unlimited, store, providers=(Provider.ETRUSTED,)) as rig:

        async def one_page_saved() -> bool:
            state = await store.load_state(Provider.ETRUSTED)
            return state is not None and state.cursor is not None

        await eventually(one_page_saved)
        control.apply(FaultSettings(error_rate=1.0))  # the platform goes down

        async def failing() -> bool:
            status = await rig.service.status(Provider.ETRUSTED)
            return status.phase is SyncPhase.FAILING

        await eventually(failing)
        assert not rig.service.serves(Provider.ETRUSTED)
    stopped = await store.load_state(Provider.ETRUSTED)
    assert stopped is not None
    assert stopped.cursor is not None
    assert not stopped.backfilled
    first_run = rig.calls(Provider.ETRUSTED)
    control.apply(FaultSettings())
    unlimited.log.clear()
    again = await open_test_store(path)
    async with sync_rig(unlimited, again, providers=(Provider.ETRUSTED,)) as rig:

        async def served() -> bool:
            return rig.service.serves(Provider.ETRUSTED)

        await eventually(served)
    lists = [
        e for e in unlimited.log.entries("etrusted") if e.path.endswith("/reviews")
    ]
    assert "after=" in lists[0].query, "the first list call resumed at the cursor"
    assert len(lists) < 19, "fewer pages than a whole backfill"
    assert first_run > 1
    await assert_holds_exactly(again, unlimited, (Provider.ETRUSTED,))
