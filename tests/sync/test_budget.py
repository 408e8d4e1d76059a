"""The budget scheduler: its share of each documented limit, sliding, honouring 429."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gateway.config import (
    MayarSettings,
    Secret,
    Settings,
    SyncSettings,
    TrustpilotSettings,
)
from gateway.errors import ProviderRateLimited
from gateway.http import open_session
from gateway.providers.mayar import MayarClient
from gateway.records import Provider
from gateway.sandbox import sandbox_settings
from gateway.store import ReviewStore
from gateway.sync.budget import Budget, Window, budgets_for, windows_for
from gateway.sync.status import SyncPhase
from gateway.sync.walks import ALL_REVIEWS
from sandbox.mayar import MayarSettings as SimulatedMayar
from sandbox.server import run_simulators
from tests.conftest import FakeClock
from tests.sync.conftest import eventually, sync_rig


class Sleeps:
    """A sleep that records each delay and moves the fake clock by it."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.clock.advance(seconds)


def test_the_budget_is_its_share_of_each_documented_limit() -> None:
    sync = SyncSettings()
    settings = Settings(
        trustpilot=TrustpilotSettings(
            api_key=Secret("k"), api_secret=Secret("s"), business_unit_id="bu"
        ),
        mayar=MayarSettings(api_key=Secret("k")),
    )
    budgets = budgets_for(settings)
    assert set(budgets) == {Provider.TRUSTPILOT, Provider.MAYAR}
    shape = {p: [(w.calls, w.seconds) for w in b.windows] for p, b in budgets.items()}
    assert shape == {
        Provider.TRUSTPILOT: [(416, 300.0), (5000, 3600.0)],
        Provider.MAYAR: [(10, 60.0)],
    }
    assert settings.mayar is not None
    undocumented = replace(settings.mayar, rate_limit_calls=None)
    assert [(w.calls, w.seconds) for w in windows_for(undocumented, sync)] == [
        (60, 60.0)
    ], "eTrusted and Trustoo: half the assumed 120 a minute"


async def test_a_fresh_window_is_spent_at_once_then_slides(clock: FakeClock) -> None:
    sleeps = Sleeps(clock)
    budget = Budget(
        "mayar", (Window(3, 60.0),), monotonic=clock.monotonic, sleep=sleeps
    )
    for _ in range(3):
        await budget.acquire()
    assert sleeps.delays == []
    assert budget.used == 1.0
    clock.advance(20.0)
    await budget.acquire()
    assert sleeps.delays == [pytest.approx(40.0)], "until the oldest call slid out"
    assert budget.calls == 4
    clock.advance(60.0)
    assert budget.used == 0.0


async def test_the_sync_waits_for_room_before_a_step(clock: FakeClock) -> None:
    sleeps = Sleeps(clock)
    budget = Budget(
        "trustoo", (Window(4, 10.0),), monotonic=clock.monotonic, sleep=sleeps
    )
    for _ in range(2):
        await budget.acquire()
        clock.advance(1.0)
    await budget.room(2)
    assert sleeps.delays == [], "two of four slots are free"
    await budget.room(3)
    assert sleeps.delays == [pytest.approx(8.0)], "until the oldest slid out"
    assert budget.calls == 2, "room takes no slot"
    budget.pause(30.0)
    await budget.room(1)
    assert sleeps.delays[-1] == pytest.approx(30.0)


async def test_every_window_must_have_room(clock: FakeClock) -> None:
    sleeps = Sleeps(clock)
    windows = (Window(2, 1.0), Window(3, 100.0))
    budget = Budget("trustpilot", windows, monotonic=clock.monotonic, sleep=sleeps)
    for _ in range(3):
        await budget.acquire()
    assert sleeps.delays == [pytest.approx(1.0)]
    await budget.acquire()
    assert sleeps.delays[-1] == pytest.approx(99.0), "the long window decides"


async def test_a_walk_through_the_middleware_keeps_to_the_window(
    clock: FakeClock,
) -> None:
    """Mayar's 1,400 reviews at 100 a page: 10 calls, a minute's wait, 4 more."""
    unlimited = {"mayar": SimulatedMayar(rate_limit_per_minute=None)}
    async with run_simulators(providers={"mayar"}, settings=unlimited) as running:
        config = sandbox_settings(running).mayar
        assert config is not None
        config = replace(config, rate_limit_calls=20, rate_limit_window_s=60.0)
        sleeps = Sleeps(clock)
        budget = Budget(
            "mayar",
            windows_for(config, SyncSettings()),
            monotonic=clock.monotonic,
            sleep=sleeps,
        )
        async with open_session(config, (budget.middleware,)) as session:
            client = MayarClient(config, session)
            position, seen = None, 0
            while True:
                page = await client.list_reviews(ALL_REVIEWS, position, 100)
                seen += len(page.items)
                if page.next is None:
                    break
                position = page.next
    assert seen == 1400
    assert budget.calls == len(running.log.entries("mayar")) == 14
    assert sleeps.delays == [pytest.approx(60.0)]


async def test_a_429_pauses_the_budget_until_its_retry_after(
    clock: FakeClock,
) -> None:
    strict = {"mayar": SimulatedMayar(rate_limit_per_minute=2)}
    async with run_simulators(providers={"mayar"}, settings=strict) as running:
        config = sandbox_settings(running).mayar
        assert config is not None
        sleeps = Sleeps(clock)
        budget = Budget(
            "mayar", (Window(100, 60.0),), monotonic=clock.monotonic, sleep=sleeps
        )
        async with open_session(config, (budget.middleware,)) as session:
            client = MayarClient(config, session)
            await client.merchant_summary()
            await client.merchant_summary()
            with pytest.raises(ProviderRateLimited) as refused:
                await client.merchant_summary()
            assert budget.throttled == 1
            assert sleeps.delays == []
            await budget.acquire()
    hint = refused.value.retry_after
    assert hint is not None
    assert hint > 1
    assert sleeps.delays == [pytest.approx(hint)], "waited what Mayar asked"


async def test_mayars_backfill_under_its_limit_meets_no_429(
    store: ReviewStore,
) -> None:
    """The sandbox's Mayar enforces 20 a minute; the sync takes 75 % of it."""
    async with run_simulators(providers={"mayar"}) as running:
        sync = SyncSettings(interval_s=60.0, budget_share=0.75, lock_ttl_s=1.0)
        async with sync_rig(
            running, store, providers=(Provider.MAYAR,), sync=sync
        ) as rig:

            async def served() -> bool:
                return rig.service.serves(Provider.MAYAR)

            await eventually(served)
            status = await rig.service.status(Provider.MAYAR)
        statuses = [e.status for e in running.log.entries("mayar")]
    assert status.phase is SyncPhase.LIVE
    assert status.reviews == 1400
    assert 429 not in statuses
    assert len(statuses) == 14 <= 15
    assert rig.budgets[Provider.MAYAR].throttled == 0
