"""Per-request bookkeeping shared by every layer: the deadline and the trace.

Both live in context variables set once per request by the HTTP view, so that the
HTTP client, the cache and the schema can read them without threading a request
object through every call (tasks and dataloader batches inherit the context).

* ``deadline``: the monotonic instant the request must be answered by. Platform calls
  and their retries never run past it.
* ``RequestTrace``: per platform, the calls made, cache hits, milliseconds spent and
  the worst status seen (ok, stale, error, skipped), and the stale values served.
  It feeds ``extensions.providers`` (``X-Reviews-Trace: 1``) and the stale warnings.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Final

from gateway.errors import ProviderError

OK: Final = "ok"
STALE: Final = "stale"
ERROR: Final = "error"
SKIPPED: Final = "skipped"
_RANK: Final = {SKIPPED: 0, OK: 1, STALE: 2, ERROR: 3}


@dataclass(slots=True)
class ProviderTrace:
    """One platform's part of a request."""

    calls: int = 0
    cache_hits: int = 0
    ms: float = 0.0
    status: str = SKIPPED

    def mark(self, status: str) -> None:
        if _RANK[status] > _RANK[self.status]:
            self.status = status


@dataclass(slots=True)
class RequestTrace:
    """What one request cost, per platform, and the stale values it served."""

    providers: dict[str, ProviderTrace] = field(default_factory=dict)
    stale: list[ProviderError] = field(default_factory=list)

    def of(self, provider: str) -> ProviderTrace:
        return self.providers.setdefault(provider, ProviderTrace())

    def call(self, provider: str, ms: float, ok: bool) -> None:
        entry = self.of(provider)
        entry.calls += 1
        entry.ms += ms
        entry.mark(OK if ok else ERROR)

    def hit(self, provider: str) -> None:
        entry = self.of(provider)
        entry.cache_hits += 1
        entry.mark(OK)

    def served_stale(self, error: ProviderError) -> None:
        self.of(error.provider).mark(STALE)
        self.stale.append(error)


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
