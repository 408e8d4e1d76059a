"""Retries, the circuit breaker and the rate limiter, against a real simulator."""

import asyncio
import random
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from gateway import trace
from gateway.config import MayarSettings, Secret
from gateway.errors import (
    ProviderPayloadError,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnavailable,
)
from gateway.http import open_session
from gateway.providers.mayar import MayarClient
from gateway.resilience import (
    BreakerState,
    CircuitBreaker,
    RateLimiter,
    Resilience,
    RetryPolicy,
)
from gateway.sandbox import sandbox_settings
from sandbox.control import FaultSettings
from sandbox.mayar import MayarSettings as SimulatedMayar
from sandbox.server import RunningSandbox, run_simulators
from tests.conftest import FakeClock

OPEN_BUYER = "budi@buyer.sandbox.example"


@dataclass
class Sleeps:
    """An injected sleep: records each delay and runs a hook instead of waiting."""

    clock: FakeClock
    delays: list[float] = field(default_factory=list)
    hook: Callable[[], None] | None = None

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.clock.advance(seconds)
        if self.hook is not None:
            self.hook()


@dataclass
class Rig:
    sandbox: RunningSandbox
    client: MayarClient
    resilience: Resilience
    sleeps: Sleeps
    settings: MayarSettings

    def fault(self, **faults: Any) -> None:
        self.sandbox.sandbox.controls["mayar"].apply(FaultSettings(**faults))

    def statuses(self) -> list[int]:
        return [c.status for c in self.sandbox.log.entries("mayar")]


@asynccontextmanager
async def rig(
    clock: FakeClock,
    *,
    settings: MayarSettings | None = None,
    limiter: RateLimiter | None = None,
    failures: int = 3,
) -> AsyncIterator[Rig]:
    simulated = {"mayar": SimulatedMayar(rate_limit_per_minute=None)}
    async with run_simulators(providers={"mayar"}, settings=simulated) as running:
        configured = settings or sandbox_settings(running).mayar
        assert configured is not None
        sleeps = Sleeps(clock)
        resilience = Resilience(
            "mayar",
            CircuitBreaker("mayar", failures, 30.0, monotonic=clock.monotonic),
            limiter,
            RetryPolicy(max_retries=2, base_s=0.1, cap_s=1.0),
            sleep=sleeps,
            rng=random.Random(7),
        )
        async with open_session(configured, resilience.middlewares()) as session:
            catalog = sandbox_settings(running).catalog
            client = MayarClient(configured, session, catalog=catalog)
            yield Rig(running, client, resilience, sleeps, configured)


async def test_a_read_is_retried_with_capped_backoff_then_succeeds(
    clock: FakeClock,
) -> None:
    async with rig(clock) as r:
        r.fault(error_rate=1.0, error_status=503)
        r.sleeps.hook = lambda: r.fault() if len(r.sleeps.delays) == 2 else None
        summary = await r.client.merchant_summary()
    assert summary.count > 0
    assert r.statuses() == [503, 503, 200]
    assert len(r.sleeps.delays) == 2
    assert 0.05 <= r.sleeps.delays[0] <= 0.1
    assert 0.1 <= r.sleeps.delays[1] <= 0.2


async def test_retries_give_up_after_the_limit(clock: FakeClock) -> None:
    async with rig(clock) as r:
        r.fault(error_rate=1.0, error_status=502)
        with pytest.raises(ProviderUnavailable) as caught:
            await r.client.merchant_summary()
    assert caught.value.http_status == 502
    assert r.statuses() == [502, 502, 502]


async def test_retry_after_is_honoured_and_never_past_the_deadline(
    clock: FakeClock,
) -> None:
    async with rig(clock) as r:
        r.fault(rate_limit_per_minute=1)
        await r.client.merchant_summary()
        r.sleeps.hook = r.fault  # the window frees up while we "wait"
        await r.client.merchant_summary()
        assert r.sleeps.delays[0] >= 59, "waited what Retry-After asked"
        r.fault(rate_limit_per_minute=1)
        await r.client.merchant_summary()
        r.sleeps.delays.clear()
        trace.begin("deadline-test", 5.0)  # 5 s left: the 60 s Retry-After is too far
        with pytest.raises(ProviderRateLimited) as caught:
            await r.client.merchant_summary()
    assert r.sleeps.delays == []
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 5


async def test_writes_are_never_retried(clock: FakeClock) -> None:
    async with rig(clock) as r:
        r.fault(error_rate=1.0, error_status=503)
        sku = next(p.sku for p in r.sandbox.catalog.products if p.listed_on("mayar"))
        with pytest.raises(ProviderUnavailable):
            await r.client.create_review(sku, OPEN_BUYER, 5)
    assert r.statuses() == [503]
    assert r.sleeps.delays == []


async def test_timeouts_and_malformed_bodies_are_not_retried(clock: FakeClock) -> None:
    async with rig(clock) as r:
        short = replace(r.settings, timeout_s=0.2)
        r.fault(timeout_rate=1.0, hang_ms=5000)
        async with open_session(short, r.resilience.middlewares()) as session:
            with pytest.raises(ProviderTimeout):
                await MayarClient(short, session).merchant_summary()
        r.fault(malformed_rate=1.0)
        with pytest.raises(ProviderPayloadError):
            await r.client.merchant_summary()
    assert r.sleeps.delays == []


async def test_the_breaker_opens_fails_fast_and_recovers(clock: FakeClock) -> None:
    async with rig(clock, failures=2) as r:
        r.resilience.policy = RetryPolicy(max_retries=0)
        r.fault(error_rate=1.0, error_status=500)
        for _ in range(2):
            with pytest.raises(ProviderUnavailable):
                await r.client.merchant_summary()
        assert r.resilience.breaker.state is BreakerState.OPEN
        with pytest.raises(ProviderUnavailable) as fast:
            await r.client.merchant_summary()
        assert fast.value.http_status is None
        assert len(r.statuses()) == 2, "an open breaker sends nothing"
        r.fault()
        clock.advance(31)
        summary = await r.client.merchant_summary()
        assert r.resilience.breaker.state is BreakerState.CLOSED
    assert summary.count > 0
    assert r.statuses() == [500, 500, 200]


async def test_a_failed_probe_opens_the_breaker_again(clock: FakeClock) -> None:
    breaker = CircuitBreaker("mayar", failures=1, reset_s=10, monotonic=clock.monotonic)
    breaker.record(ok=False)
    assert breaker.state is BreakerState.OPEN
    clock.advance(10)
    breaker.before_call()
    assert breaker.state is BreakerState.HALF_OPEN
    with pytest.raises(ProviderUnavailable):
        breaker.before_call()  # only one probe at a time
    breaker.record(ok=False)
    assert breaker.state is BreakerState.OPEN


async def test_the_rate_limiter_waits_briefly_or_refuses(clock: FakeClock) -> None:
    sleeps = Sleeps(clock)
    limiter = RateLimiter(
        "mayar",
        calls=2,
        window_s=1.0,
        max_wait_s=2.0,
        monotonic=clock.monotonic,
        sleep=sleeps,
    )
    async with rig(clock, limiter=limiter) as r:
        for _ in range(3):
            await r.client.merchant_summary()
        assert sleeps.delays == [pytest.approx(1.0)]
        slow = RateLimiter(
            "mayar",
            calls=1,
            window_s=60.0,
            max_wait_s=2.0,
            monotonic=clock.monotonic,
            sleep=sleeps,
        )
        r.resilience.limiter = slow
        await r.client.merchant_summary()
        with pytest.raises(ProviderRateLimited) as caught:
            await r.client.merchant_summary()
    assert caught.value.retry_after == pytest.approx(60.0)
    assert len(r.statuses()) == 4, "the refused call never left the gateway"


async def test_two_limits_are_taken_together(clock: FakeClock) -> None:
    """Trustpilot's 833 / 5 min and 10,000 / hour: a call needs a slot in both."""
    sleeps = Sleeps(clock)

    def limiter(calls: int, window_s: float) -> RateLimiter:
        return RateLimiter(
            "mayar", calls, window_s, 2.0, monotonic=clock.monotonic, sleep=sleeps
        )

    short, hourly = limiter(2, 1.0), limiter(3, 3600.0)
    async with rig(clock, limiter=short) as r:
        r.resilience.extra_limiters = (hourly,)
        for _ in range(3):
            await r.client.merchant_summary()
        assert sleeps.delays == [pytest.approx(1.0)], "the short window waited"
        clock.advance(0.5)
        with pytest.raises(ProviderRateLimited) as caught:
            await r.client.merchant_summary()
    assert caught.value.retry_after == pytest.approx(3600.0 - 1.5, abs=0.2)
    assert len(r.statuses()) == 3, "the hourly limit refused the fourth call"
    assert len(short._sent) == 1, "a refused call took no slot in the other window"


async def test_connection_refused_is_retried_then_unavailable(clock: FakeClock) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    closed = MayarSettings(
        base_url=f"http://127.0.0.1:{port}/mayar", api_key=Secret("k")
    )
    async with rig(clock, settings=closed) as r:
        with pytest.raises(ProviderUnavailable):
            await r.client.merchant_summary()
    assert len(r.sleeps.delays) == 2


async def _until_half_open(breaker: CircuitBreaker) -> None:
    for _ in range(200):
        if breaker.state is BreakerState.HALF_OPEN:
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the probe never went out")


async def test_a_cancelled_probe_neither_closes_nor_opens_the_breaker(
    clock: FakeClock,
) -> None:
    async with rig(clock, failures=1) as r:
        r.resilience.policy = RetryPolicy(max_retries=0)
        breaker = r.resilience.breaker
        r.fault(error_rate=1.0, error_status=500)
        with pytest.raises(ProviderUnavailable):
            await r.client.merchant_summary()
        assert breaker.state is BreakerState.OPEN
        clock.advance(31)
        r.fault(latency_ms=5000)
        probe = asyncio.create_task(r.client.merchant_summary())
        await _until_half_open(breaker)
        probe.cancel()
        with pytest.raises(asyncio.CancelledError):
            await probe
        assert breaker.state is BreakerState.HALF_OPEN, "neither closed nor opened"
        r.fault()
        summary = await r.client.merchant_summary()  # the next probe goes out
        assert breaker.state is BreakerState.CLOSED
    assert summary.count > 0


async def test_a_probe_cut_by_the_request_deadline_is_no_failure(
    clock: FakeClock,
) -> None:
    async with rig(clock, failures=1) as r:
        r.resilience.policy = RetryPolicy(max_retries=0)
        breaker = r.resilience.breaker
        r.fault(error_rate=1.0, error_status=500)
        with pytest.raises(ProviderUnavailable):
            await r.client.merchant_summary()
        clock.advance(31)
        r.fault(latency_ms=3000)
        trace.begin("short-deadline", 0.3)
        with pytest.raises(ProviderTimeout) as cut:
            await r.client.merchant_summary()
        assert breaker.state is BreakerState.HALF_OPEN, "the cut probe proved nothing"
        assert "deadline" in str(cut.value)
        trace.begin("next-request", None)
        r.fault()
        await r.client.merchant_summary()
        assert breaker.state is BreakerState.CLOSED
