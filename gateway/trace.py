"""Per-request bookkeeping shared by every layer: the deadline and the trace.

Both live in context variables set once per request by the HTTP view, so that the
HTTP client, the cache and the schema can read them without threading a request
object through every call (tasks and dataloader batches inherit the context).

* ``deadline``: the monotonic instant the request must be answered by. Platform calls
  and their retries never run past it.
* ``RequestTrace``: per platform, the calls made, cache hits, the wall time its calls
  took and what happened to it, and the stale values served. It feeds
  ``extensions.providers`` (``X-Reviews-Trace: 1``) and the stale warnings.

A platform's status names the worst thing that happened to it in the request, in this
order of precedence (the first that applies wins):

1. ``error``: some of its data is missing because it failed (an error answer, a
   timeout, an open breaker...), as reported beside the partial data;
2. ``rate_limited``: some of its data is missing because of a rate limit, the
   gateway's own limiter refusing the call or the platform's 429 after retries;
3. ``stale``: everything asked arrived, but part of it is cached data served past its
   TTL because the platform failed;
4. ``ok``: it was used (calls or cache hits) and everything asked arrived; a failed
   attempt that a retry made good is ``ok``;
5. ``skipped``: it was not asked for anything.

An error outranks a rate limit because a rate limit clears by itself (``retryAfter``)
and an error may need someone. ``ms`` is wall time: the union of the platform's call
intervals, so concurrent calls count once (the sum over-counts by their overlap).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Final

from gateway.errors import ProviderError, ProviderRateLimited

OK: Final = "ok"
STALE: Final = "stale"
RATE_LIMITED: Final = "rate_limited"
ERROR: Final = "error"
SKIPPED: Final = "skipped"
_RANK: Final = {SKIPPED: 0, OK: 1, STALE: 2, RATE_LIMITED: 3, ERROR: 4}


def wall_ms(intervals: Iterable[tuple[float, float]]) -> float:
    """Milliseconds covered by the union of ``(started, ended)`` intervals (seconds)."""
    total = 0.0
    reached = -math.inf
    for started, ended in sorted(intervals):
        if ended > reached:
            total += ended - max(started, reached)
            reached = ended
    return total * 1000


@dataclass(slots=True)
class ProviderTrace:
    """One platform's part of a request."""

    calls: int = 0
    cache_hits: int = 0
    status: str = SKIPPED
    intervals: list[tuple[float, float]] = field(default_factory=list)

    @property
    def ms(self) -> float:
        """Wall time of this platform's calls (see the module docstring)."""
        return wall_ms(self.intervals)

    def mark(self, status: str) -> None:
        if _RANK[status] > _RANK[self.status]:
            self.status = status

    def attempt(self, started: float, ended: float) -> None:
        """Count one call attempt that ran from ``started`` to ``ended`` (monotonic)."""
        self.calls += 1
        self.intervals.append((started, ended))
        self.mark(OK)


@dataclass(slots=True)
class RequestTrace:
    """What one request cost, per platform, and the stale values it served."""

    providers: dict[str, ProviderTrace] = field(default_factory=dict)
    stale: list[ProviderError] = field(default_factory=list)

    def of(self, provider: str) -> ProviderTrace:
        return self.providers.setdefault(provider, ProviderTrace())

    def call(self, provider: str, started: float, ended: float) -> None:
        """One attempt; its failure counts only as the outcome it leads to."""
        self.of(provider).attempt(started, ended)

    def hit(self, provider: str) -> None:
        entry = self.of(provider)
        entry.cache_hits += 1
        entry.mark(OK)

    def served_stale(self, error: ProviderError) -> None:
        self.of(error.provider).mark(STALE)
        self.stale.append(error)

    def failed(self, error: ProviderError) -> None:
        """A platform failure that left data out: ``rate_limited`` or ``error``."""
        limited = isinstance(error, ProviderRateLimited)
        self.of(error.provider).mark(RATE_LIMITED if limited else ERROR)


_trace: ContextVar[RequestTrace | None] = ContextVar("trace", default=None)
_deadline: ContextVar[float | None] = ContextVar("deadline", default=None)
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def begin(request_id: str, deadline_s: float | None) -> RequestTrace:
    """Start a request: its id, its trace and its deadline ``deadline_s`` from now."""
    trace = RequestTrace()
    _request_id.set(request_id)
    _trace.set(trace)
    _deadline.set(time.monotonic() + deadline_s if deadline_s else None)
    return trace


def request_id() -> str | None:
    """The id of the request being served (for log lines), if any."""
    return _request_id.get()


def current() -> RequestTrace | None:
    """The trace of the request being served, if any."""
    return _trace.get()


def remaining() -> float | None:
    """Seconds left before the request's deadline; ``None`` without one."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()
