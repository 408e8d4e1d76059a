"""The sync's budget: its share of each platform's documented limits, as middleware.

A platform documents its limits as calls per window (``ProviderSettings``:
``rate_limit_calls`` per ``rate_limit_window_s``, and ``hourly_limit`` per hour);
where it documents none (eTrusted, Trustoo) the sync assumes
``sync.assumed_calls_per_minute``. The sync may use ``sync.budget_share`` of each
(default half: the rest is left for live private reads and writes):

=============  ===============================  =====================
platform       documented                       the sync's budget
=============  ===============================  =====================
Trustpilot     833 / 5 min, 10,000 / hour       416 / 5 min, 5,000 / h
Mayar          20 / min                         10 / min
eTrusted       none (assumed 120 / min)         60 / min
Trustoo        none (assumed 120 / min)         60 / min
=============  ===============================  =====================

Windows slide, so a fresh start may spend a whole window at once (the first 416
Trustpilot calls go out together, which is what lets a backfill finish quickly).
``Budget.middleware`` is an aiohttp client middleware for the sync's own sessions:
every attempt waits for a free slot in every window; a 429 answer pauses the
budget until its ``Retry-After`` (seconds or an HTTP date; the shortest window
when absent) and is counted in ``throttled``. The middleware's wait runs inside
the request's timeout, so the sync first waits for ``room(n)``, as many free
slots as its next step needs, outside any request. Add it innermost (after any retry
middleware), so that every attempt is counted. Clock and sleep are injected.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import ClientHandlerType, ClientRequest, ClientResponse

from gateway.config import ProviderSettings, Settings, SyncSettings
from gateway.http import retry_after_seconds
from gateway.records import Provider

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]
HOUR_S = 3600.0


@dataclass(slots=True)
class Window:
    """At most ``calls`` calls in any ``seconds``-long interval (sliding)."""

    calls: int
    seconds: float
    sent: deque[float] = field(default_factory=deque)

    def wait(self, now: float) -> float:
        """Seconds until one more call fits (0 when it fits now)."""
        while self.sent and now - self.sent[0] >= self.seconds:
            self.sent.popleft()
        if len(self.sent) < self.calls:
            return 0.0
        return self.sent[len(self.sent) - self.calls] + self.seconds - now

    def used(self, now: float) -> float:
        self.wait(now)
        return len(self.sent) / self.calls


def windows_for(settings: ProviderSettings, sync: SyncSettings) -> tuple[Window, ...]:
    """The sync's windows for one platform: its share of each documented limit."""
    share = sync.budget_share
    limits: list[tuple[int, float]] = []
    if settings.rate_limit_calls:
        limits.append((settings.rate_limit_calls, settings.rate_limit_window_s))
    if settings.hourly_limit:
        limits.append((settings.hourly_limit, HOUR_S))
    if not limits:
        limits.append((sync.assumed_calls_per_minute, 60.0))
    return tuple(Window(max(1, int(calls * share)), s) for calls, s in limits)


class Budget:
    """One platform's sync budget; see the module docstring.

    ``calls``: attempts sent since start; ``throttled``: 429 answers met;
    ``used``: the share (0..1) of the fullest window now.
    """

    def __init__(
        self,
        provider: str,
        windows: tuple[Window, ...],
        *,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        on_call: Callable[[str], None] | None = None,
    ) -> None:
        if not windows:
            raise ValueError("a budget needs at least one window")
        self.provider = provider
        self.windows = windows
        self.calls = 0
        self.throttled = 0
        self._monotonic = monotonic
        self._sleep = sleep
        self._paused_until = 0.0
        self._on_call = on_call
        self._lock = asyncio.Lock()

    @property
    def used(self) -> float:
        now = self._monotonic()
        return min(1.0, max(w.used(now) for w in self.windows))

    def _wait(self) -> float:
        now = self._monotonic()
        paused = max(0.0, self._paused_until - now)
        return max(paused, *(w.wait(now) for w in self.windows))

    async def acquire(self) -> None:
        """Wait for a slot in every window (and past any pause), then take it."""
        async with self._lock:  # one waiter at a time: slots go out in order
            while (wait := self._wait()) > 0:
                await self._sleep(wait)
            now = self._monotonic()
            for window in self.windows:
                window.sent.append(now)
            self.calls += 1
        if self._on_call is not None:
            self._on_call(self.provider)

    async def room(self, calls: int = 1) -> None:
        """Wait until ``calls`` calls would go out at once (none is taken).

        The middleware's own wait runs inside a request's timeout; the sync waits
        here first, before each step, so that its calls never time out waiting.
        """
        while True:
            now = self._monotonic()
            wait = max(0.0, self._paused_until - now)
            for window in self.windows:
                window.wait(now)  # drops what slid out
                need = min(calls, window.calls)
                excess = len(window.sent) + need - window.calls
                if excess > 0:
                    wait = max(wait, window.sent[excess - 1] + window.seconds - now)
            if wait <= 0:
                return
            await self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """Send nothing for ``seconds`` (a 429's ``Retry-After``)."""
        until = self._monotonic() + seconds
        self._paused_until = max(self._paused_until, until)

    async def middleware(
        self, request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        """The aiohttp client middleware: a slot per attempt; a 429 pauses."""
        await self.acquire()
        response = await handler(request)
        if response.status == 429:
            self.throttled += 1
            hint = retry_after_seconds(response.headers.get("Retry-After"))
            fallback = min(w.seconds for w in self.windows)
            self.pause(hint if hint is not None else fallback)
        return response


def budgets_for(
    settings: Settings,
    *,
    on_call: Callable[[str], None] | None = None,
    monotonic: Monotonic = time.monotonic,
    sleep: Sleep = asyncio.sleep,
) -> dict[Provider, Budget]:
    """A budget per configured platform (build them before the sync's sessions).

    ``on_call`` is told the platform of every call (``Metrics.on_sync_call``).
    """
    budgets: dict[Provider, Budget] = {}
    for provider in Provider:
        options: ProviderSettings | None = getattr(settings, provider.value)
        if options is not None:
            budgets[provider] = Budget(
                provider.value,
                windows_for(options, settings.sync),
                monotonic=monotonic,
                sleep=sleep,
                on_call=on_call,
            )
    return budgets
