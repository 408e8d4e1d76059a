"""ResultCache's shared loads with real tasks: a load outlives any one waiter."""

import asyncio

import pytest

from gateway.cache import ResultCache, cache_key
from gateway.errors import ProviderUnavailable

KEY = cache_key("mayar", "reviews", "page-1")


class Load:
    """A load that runs until the test releases it, counting how often it ran."""

    def __init__(self) -> None:
        self.started = 0
        self.cancelled = 0
        self.release = asyncio.Event()

    async def __call__(self) -> object:
        self.started += 1
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        return ("review-1", "review-2")


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_cancelled_owner_leaves_the_load_to_the_other_waiters() -> None:
    cache: ResultCache[object] = ResultCache(ttl_s=60, maxsize=10)
    load = Load()
    owner = asyncio.create_task(cache.get_or_load(KEY, load))
    await _settle()
    bystander = asyncio.create_task(cache.get_or_load(KEY, load))
    await _settle()
    owner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await owner
    load.release.set()
    assert await bystander == ("review-1", "review-2")
    assert (load.started, load.cancelled) == (1, 0)
    assert cache.stats.coalesced == 1
    assert cache.get(KEY) == ("review-1", "review-2"), "stored for later callers"


async def test_the_load_is_cancelled_when_its_last_waiter_goes() -> None:
    cache: ResultCache[object] = ResultCache(ttl_s=60, maxsize=10)
    load = Load()
    waiters = [asyncio.create_task(cache.get_or_load(KEY, load)) for _ in range(2)]
    await _settle()
    for waiter in waiters:
        waiter.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    await _settle()
    assert (load.started, load.cancelled) == (1, 1)
    assert cache.get(KEY) is None
    load.release.set()
    fresh = Load()
    fresh.release.set()
    assert await cache.get_or_load(KEY, fresh) == ("review-1", "review-2")
    assert fresh.started == 1, "a new caller starts a new load"


async def test_a_waiter_never_sees_a_cancellation_that_was_not_its_own() -> None:
    cache: ResultCache[object] = ResultCache(ttl_s=60, maxsize=10)
    load = Load()
    waiter = asyncio.create_task(cache.get_or_load(KEY, load))
    await _settle()
    for task in asyncio.all_tasks():
        if task is not waiter and task is not asyncio.current_task():
            task.cancel()  # the shared load's task, cancelled from outside
    with pytest.raises(ProviderUnavailable) as caught:
        await asyncio.wait_for(waiter, 5)
    assert caught.value.provider == "mayar"
