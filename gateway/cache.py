"""The cross-request cache of provider results: TTL, bounded size, single flight.

``ResultCache.get_or_load(key, load)`` answers from the cache while the entry is fresh;
otherwise it runs ``load()`` once, however many callers ask for the same key at the
same time (they all await the one in-flight call: no stampede), and stores the result.
Errors are never stored. Keys are built by ``cache_key`` and hold everything that
changes the answer: provider, resource, parameters and the credential scope.

Stale on error: an entry outlives its TTL by ``stale_grace_s`` in a second, bounded
store. When a platform fails and that store still holds the key, the stale value is
served instead of the error, and the request's trace records it (the response then
carries a ``stale: true`` warning for that platform).

A shared load belongs to no one request: it runs as its own task (started in the
context of the first caller, so its calls count in that request's trace and run on
that first caller's deadline, whatever the later waiters' own deadlines), and every
caller awaits it through ``asyncio.shield``. A caller that is cancelled just stops
waiting; the load goes on for the others and is cancelled only when its last waiter
has gone. A waiter that was not itself cancelled never sees a ``CancelledError``:
should the shared task be cancelled from outside, it gets ``ProviderUnavailable``
instead.

Values are records (immutable), never coroutines or futures: ``cachetools.cached`` on
an ``async def`` would cache an await-once coroutine (cachetools #92).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cachetools import TTLCache

from gateway import trace
from gateway.errors import ProviderError, ProviderUnavailable

T = TypeVar("T")
Key = tuple[Hashable, ...]


def cache_key(provider: str, resource: str, *params: Hashable, scope: str = "") -> Key:
    """The key of one provider result: provider, resource, parameters, scope."""
    return (provider, resource, scope, *params)


@dataclass(slots=True)
class _Flight(Generic[T]):
    """One in-flight load and how many callers are waiting on it."""

    task: asyncio.Task[T]
    waiters: int = 0


@dataclass(slots=True)
class CacheStats:
    """Counters for tests, traces and metrics."""

    hits: int = 0
    misses: int = 0
    coalesced: int = 0
    stale: int = 0


class ResultCache(Generic[T]):
    """A TTL cache of provider results with in-flight call coalescing."""

    def __init__(
        self,
        *,
        ttl_s: float,
        maxsize: int,
        timer: Callable[[], float] = time.monotonic,
        stale_grace_s: float = 0.0,
    ) -> None:
        self.ttl_s = ttl_s
        self._entries: TTLCache[Key, T] | None = (
            TTLCache(maxsize=maxsize, ttl=ttl_s, timer=timer) if ttl_s > 0 else None
        )
        self._stale: TTLCache[Key, T] | None = (
            TTLCache(maxsize=maxsize, ttl=ttl_s + stale_grace_s, timer=timer)
            if stale_grace_s > 0
            else None
        )
        self._in_flight: dict[Key, _Flight[T]] = {}
        self.stats = CacheStats()

    def get(self, key: Key) -> T | None:
        """The fresh cached value of ``key``, or ``None``."""
        if self._entries is None:
            return None
        return self._entries.get(key)

    def put(self, key: Key, value: T) -> None:
        if self._entries is not None:
            self._entries[key] = value
        if self._stale is not None:
            self._stale[key] = value

    def stale(self, key: Key, error: ProviderError) -> T | None:
        """The expired value of ``key`` within the grace window, recorded as served.

        ``None`` when there is none: then the caller raises or reports ``error``.
        """
        if self._stale is None:
            return None
        value = self._stale.get(key)
        if value is not None:
            self.stats.stale += 1
            current = trace.current()
            if current is not None:
                current.served_stale(error)
        return value

    def invalidate(self, predicate: Callable[[Key], bool]) -> int:
        """Drop every entry whose key matches; returns how many were dropped."""
        if self._entries is None:
            return 0
        doomed = [key for key in list(self._entries) if predicate(key)]
        for key in doomed:
            self._entries.pop(key, None)
        if self._stale is not None:
            # A write made these wrong: they must not come back as stale answers.
            for key in [key for key in list(self._stale) if predicate(key)]:
                self._stale.pop(key, None)
        return len(doomed)

    async def get_or_load(self, key: Key, load: Callable[[], Awaitable[T]]) -> T:
        """The cached value of ``key``, or the result of one shared ``load()``."""
        cached = self.get(key)
        if cached is not None:
            self.hit(key)
            return cached
        try:
            return await self.coalesce(key, load, store=True)
        except ProviderError as error:
            stale = self.stale(key, error)
            if stale is None:
                raise
            return stale

    def hit(self, key: Key) -> None:
        """Count a hit on ``key`` (and on its platform in the request's trace)."""
        self.stats.hits += 1
        current = trace.current()
        if current is not None and key:
            current.hit(str(key[0]))

    async def coalesce(
        self, key: Key, load: Callable[[], Awaitable[T]], *, store: bool = False
    ) -> T:
        """Run ``load()`` once for all concurrent callers of ``key``.

        With ``store`` the result is cached under ``key``; errors never are. The load
        is a task of its own that outlives any one caller (see the module docstring).
        """
        flight = self._in_flight.get(key)
        if flight is None:
            self.stats.misses += 1
            flight = _Flight(asyncio.create_task(self._load(key, load, store)))
            flight.task.add_done_callback(_retrieve)
            self._in_flight[key] = flight
        else:
            self.stats.coalesced += 1
        flight.waiters += 1
        try:
            return await asyncio.shield(flight.task)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # this caller was cancelled: it just stops waiting
            provider = str(key[0]) if key else "gateway"
            raise ProviderUnavailable(
                provider, "the shared call was cancelled; try again"
            ) from None
        finally:
            flight.waiters -= 1
            if flight.waiters == 0 and not flight.task.done():
                # The last waiter has gone: nobody needs the result any more.
                flight.task.cancel()
                self._forget(key, flight.task)

    async def _load(self, key: Key, load: Callable[[], Awaitable[T]], store: bool) -> T:
        """The shared load's task: the value is stored before any waiter sees it."""
        try:
            value = await load()
            if store:
                self.put(key, value)
            return value
        finally:
            self._forget(key, asyncio.current_task())

    def _forget(self, key: Key, task: asyncio.Task[Any] | None) -> None:
        flight = self._in_flight.get(key)
        if flight is not None and flight.task is task:
            del self._in_flight[key]


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Mark a finished load's exception retrieved: its waiters may have gone away."""
    if not task.cancelled():
        task.exception()
