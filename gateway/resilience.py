"""Staying up when a platform is not: retries, a circuit breaker, a rate limiter.

Each platform's session gets these aiohttp client middlewares, outermost first:

1. ``CircuitBreaker``: after ``failures`` consecutive failures (network errors,
   timeouts, 5xx) it opens: calls fail at once with PROVIDER_UNAVAILABLE and nothing
   is sent, for ``reset_s``. Then one probe is let through (half-open); its success
   closes the breaker, its failure opens it again. A call that ends without
   saying anything about the platform (cancelled, or cut short by the caller's own
   request deadline: see ``gateway.http.cut_by_deadline``) counts neither way; it
   only frees the probe slot, so a cancelled probe never wedges the breaker.
2. ``retry``: idempotent reads only (GET, and POSTs marked as reads), on connection
   errors, 429 and 502-504, up to ``max_retries`` times with capped, jittered
   exponential backoff, waiting at least what ``Retry-After`` asks, and never past the
   request's deadline (then the last answer stands). Writes are never retried.
3. ``RateLimiter``: at most ``calls`` per ``window_s`` per credential, as the platform
   documents (Trustpilot 833 per 5 minutes, Mayar 20 per minute); a call over it waits
   for a free slot when that is at most ``max_wait_s`` away (and within the deadline),
   else fails at once with PROVIDER_RATE_LIMITED instead of collecting a 429 (and
   marks the platform ``rate_limited`` in the request trace). Several limits
   (``extra_limiters``: Trustpilot's hourly one) are taken together.
4. ``observe``: every attempt is counted in the request trace (its interval, for the
   platform's wall time) and the metrics.

Sleeps and clocks are injected, so tests drive them without waiting.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

import aiohttp
from aiohttp import ClientHandlerType, ClientRequest, ClientResponse

from gateway import trace
from gateway.errors import ProviderRateLimited, ProviderUnavailable
from gateway.http import READ_MARK, cut_by_deadline, retry_after_seconds

Sleep = Callable[[float], Awaitable[None]]
Monotonic = Callable[[], float]
RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})


class BreakerState(StrEnum):
    """Where a circuit breaker stands."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(slots=True)
class CircuitBreaker:
    """Fails fast while a platform keeps failing; see the module docstring."""

    provider: str
    failures: int = 5
    reset_s: float = 30.0
    monotonic: Monotonic = time.monotonic
    state: BreakerState = BreakerState.CLOSED
    _streak: int = 0
    _opened_at: float = 0.0
    _probing: bool = False
    on_change: Callable[[str, BreakerState], None] | None = None

    def before_call(self) -> None:
        """Raise ``ProviderUnavailable`` when no call may go out now."""
        if self.state is BreakerState.CLOSED:
            return
        waited = self.monotonic() - self._opened_at
        if self.state is BreakerState.OPEN and waited >= self.reset_s:
            self._set(BreakerState.HALF_OPEN)
        if self.state is BreakerState.HALF_OPEN and not self._probing:
            self._probing = True
            return
        raise ProviderUnavailable(
            self.provider,
            "is failing; the gateway stopped calling it for a while",
            retry_after=max(0.0, round(self.reset_s - waited, 1)),
        )

    def release(self) -> None:
        """End a call that proved nothing (cancelled, or cut by the caller's deadline).

        Neither closes nor opens the breaker and leaves the failure streak as it
        was; a half-open breaker lets the next probe through.
        """
        self._probing = False

    def record(self, ok: bool) -> None:
        """Count one finished call."""
        self._probing = False
        if ok:
            self._streak = 0
            self._set(BreakerState.CLOSED)
            return
        self._streak += 1
        if self.state is BreakerState.HALF_OPEN or self._streak >= self.failures:
            self._opened_at = self.monotonic()
            self._set(BreakerState.OPEN)

    def _set(self, state: BreakerState) -> None:
        if state is not self.state:
            self.state = state
            if self.on_change is not None:
                self.on_change(self.provider, state)


@dataclass(slots=True)
class RateLimiter:
    """A sliding window of call times; see the module docstring."""

    provider: str
    calls: int
    window_s: float
    max_wait_s: float = 2.0
    monotonic: Monotonic = time.monotonic
    sleep: Sleep = asyncio.sleep
    _sent: deque[float] = field(default_factory=deque)

    def _wait(self) -> float:
        now = self.monotonic()
        while self._sent and now - self._sent[0] >= self.window_s:
            self._sent.popleft()
        if len(self._sent) < self.calls:
            return 0.0
        return self._sent[0] + self.window_s - now

    async def acquire(self) -> None:
        """Take a slot, waiting briefly if one frees soon; else refuse at once."""
        await acquire_all((self,))

    def _refuse_or_wait(self, wait: float) -> float:
        left = trace.remaining()
        if wait > self.max_wait_s or (left is not None and wait > left):
            # The trace marks it where it leaves data out (a stale value may
            # still stand in for it): the error sink, not here.
            raise ProviderRateLimited(
                self.provider,
                "would exceed its documented rate limit",
                retry_after=round(wait, 1),
            )
        return wait


async def acquire_all(limiters: Sequence[RateLimiter]) -> None:
    """Take a slot in every one of ``limiters`` at once (e.g. per 5 min and per hour).

    Waits while the longest wait is short (each limiter's ``max_wait_s``), else
    refuses without taking any slot, so a refused call costs no window anything.
    """
    while True:
        waits = [(limiter._wait(), limiter) for limiter in limiters]
        pending = [(wait, limiter) for wait, limiter in waits if wait > 0]
        if not pending:
            break
        longest = max(limiter._refuse_or_wait(wait) for wait, limiter in pending)
        await pending[0][1].sleep(longest)
    for limiter in limiters:
        limiter._sent.append(limiter.monotonic())


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How reads are retried: attempts and the backoff's base and cap."""

    max_retries: int = 2
    base_s: float = 0.1
    cap_s: float = 2.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Capped exponential backoff with jitter (half fixed, half random)."""
        ceiling = min(self.cap_s, self.base_s * float(2**attempt))
        return ceiling / 2 + rng.random() * ceiling / 2


def _retryable_request(request: ClientRequest) -> bool:
    marked = request.headers.pop(READ_MARK, None) is not None
    return request.method in ("GET", "HEAD", "OPTIONS") or marked


@dataclass(slots=True)
class Resilience:
    """One platform's breaker, limiter and retry policy, as client middlewares."""

    provider: str
    breaker: CircuitBreaker
    limiter: RateLimiter | None
    policy: RetryPolicy
    sleep: Sleep = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)
    on_attempt: Callable[[str, int | None, float], None] | None = None
    extra_limiters: tuple[RateLimiter, ...] = ()
    """Further documented limits enforced beside ``limiter`` (Trustpilot's hourly
    10,000 beside its 833 per 5 minutes): a call takes a slot in all, or none."""

    def middlewares(self) -> tuple[aiohttp.ClientMiddlewareType, ...]:
        return (self._breaker, self._retry, self._limit, self._observe)

    async def _breaker(
        self, request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        self.breaker.before_call()
        verdict: bool | None = None  # None: the call says nothing about the platform
        try:
            response = await handler(request)
            verdict = response.status < 500
            return response
        except (aiohttp.ClientError, TimeoutError):
            if not cut_by_deadline():
                verdict = False
            raise
        finally:
            # Also on CancelledError: a cancelled call (a probe, too) is released.
            if verdict is None:
                self.breaker.release()
            else:
                self.breaker.record(ok=verdict)

    async def _retry(
        self, request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        retryable = _retryable_request(request)
        attempt = 0
        while True:
            try:
                response = await handler(request)
            except aiohttp.ClientConnectionError:
                if not retryable or not await self._pause(attempt, None):
                    raise
            else:
                if not retryable or response.status not in RETRY_STATUSES:
                    return response
                hint = retry_after_seconds(response.headers.get("Retry-After"))
                if not await self._pause(attempt, hint):
                    return response
                response.release()
            attempt += 1

    async def _pause(self, attempt: int, hint: float | None) -> bool:
        """Sleep before retry ``attempt + 1``; ``False`` when none may be made."""
        if attempt >= self.policy.max_retries:
            return False
        delay = max(hint or 0.0, self.policy.delay(attempt, self.rng))
        left = trace.remaining()
        if left is not None and delay >= left:
            return False
        await self.sleep(delay)
        return True

    async def _limit(
        self, request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        limiters = (
            *(() if self.limiter is None else (self.limiter,)),
            *self.extra_limiters,
        )
        if limiters:
            await acquire_all(limiters)
        return await handler(request)

    async def _observe(
        self, request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        started = time.monotonic()
        status: int | None = None
        try:
            response = await handler(request)
            status = response.status
            return response
        finally:
            ended = time.monotonic()
            ms = (ended - started) * 1000
            current = trace.current()
            if current is not None:
                current.call(self.provider, started, ended)
            if self.on_attempt is not None:
                self.on_attempt(self.provider, status, ms)
