"""Sandbox instrumentation shared by all simulators: the request log and faults.

Each simulator application is built with ``ProviderControl.middleware(render_error)``.
The middleware records every call (provider, method, vendor path, query, status, ms) in
the shared ``RequestLog`` and applies the provider's current ``FaultSettings``:

* ``rateLimitPerMinute``: a sliding one-minute window; over it the call gets the
  platform's own 429 error with a ``Retry-After`` header (seconds).
* ``errorRate`` / ``errorStatus``: that share of calls gets the platform's own error
  envelope with that status (503 by default).
* ``timeoutRate``: that share of calls hangs for ``hangMs`` (30 s by default) before
  answering, long past any sane client timeout.
* ``malformedRate``: that share of calls answers 200 with a truncated JSON body.
* ``latencyMs``: added to every call that is answered.

Draws come from one ``random.Random`` seeded by the sandbox seed, so a fault sequence
is reproducible. ``PUT /_sandbox/faults`` replaces a provider's settings; ``{}`` resets
them to the sandbox's baseline (which carries ``--latency-ms``).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any, Final, Protocol

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

LOG_LIMIT: Final = 20_000
CLIENT_CLOSED: Final = 499
"""Logged status of a call whose client hung up first (nginx's convention)."""
MALFORMED_BODY: Final = b'{"data": [{"id": "truncated'


class ErrorRenderer(Protocol):
    """Renders the platform's own error response for ``status`` (used by faults)."""

    def __call__(self, status: int, message: str) -> web.StreamResponse: ...


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """One provider's injected faults (see the module docstring for their meaning)."""

    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 503
    timeout_rate: float = 0.0
    hang_ms: int = 30_000
    malformed_rate: float = 0.0
    rate_limit_per_minute: int | None = None

    @classmethod
    def parse(cls, body: Mapping[str, Any], base: FaultSettings) -> FaultSettings:
        """Validate a control-API JSON object over ``base``; raise ``ValueError``."""
        unknown = sorted(set(body) - set(_WIRE_NAMES))
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(unknown)}")
        settings = replace(base, **{_WIRE_NAMES[k]: v for k, v in body.items()})
        settings.check()
        return settings

    def check(self) -> None:
        """Raise ``ValueError`` naming the first out-of-range field."""
        for name in ("error_rate", "timeout_rate", "malformed_rate"):
            value = getattr(self, name)
            if not _is_number(value) or not 0.0 <= value <= 1.0:
                raise ValueError(f"{_camel(name)} must be a number from 0 to 1")
        for name in ("latency_ms", "hang_ms"):
            value = getattr(self, name)
            if not _is_int(value) or not 0 <= value <= 600_000:
                raise ValueError(f"{_camel(name)} must be an integer from 0 to 600000")
        if not _is_int(self.error_status) or not 400 <= self.error_status <= 599:
            raise ValueError("errorStatus must be an HTTP error status (400-599)")
        limit = self.rate_limit_per_minute
        if limit is not None and (not _is_int(limit) or limit < 1):
            raise ValueError("rateLimitPerMinute must be a positive integer or null")

    def to_json(self) -> dict[str, object]:
        return {_camel(f.name): getattr(self, f.name) for f in fields(self)}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return _is_int(value) or isinstance(value, float)


_WIRE_NAMES: Final = {_camel(f.name): f.name for f in fields(FaultSettings)}


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One call a simulator answered, as ``GET /_sandbox/requests`` lists it."""

    provider: str
    method: str
    path: str
    query: str
    status: int
    ms: float

    def to_json(self) -> dict[str, object]:
        return asdict(self)


class RequestLog:
    """The bounded, in-order log of calls across all simulators of one sandbox."""

    def __init__(self, limit: int = LOG_LIMIT) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=limit)

    def append(self, entry: LoggedRequest) -> None:
        self._entries.append(entry)

    def clear(self) -> None:
        self._entries.clear()

    def entries(self, provider: str | None = None) -> list[LoggedRequest]:
        return [e for e in self._entries if provider is None or e.provider == provider]


class ProviderControl:
    """The request log sink and the fault knobs of one provider's simulator."""

    def __init__(
        self,
        provider: str,
        log: RequestLog,
        *,
        baseline: FaultSettings | None = None,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.provider = provider
        self.log = log
        self.baseline = baseline or FaultSettings()
        self.faults = self.baseline
        self._rng = rng or random.Random(f"faults:{provider}")
        self._monotonic = monotonic
        self._sleep = sleep
        self._window: deque[float] = deque()

    def apply(self, faults: FaultSettings) -> None:
        """Replace this provider's faults (and restart its rate-limit window)."""
        self.faults = faults
        self._window.clear()

    def _retry_after(self) -> int | None:
        """Seconds to wait when the per-minute limit is used up, else ``None``."""
        limit = self.faults.rate_limit_per_minute
        if limit is None:
            return None
        now = self._monotonic()
        while self._window and now - self._window[0] >= 60.0:
            self._window.popleft()
        if len(self._window) >= limit:
            return max(1, int(60.0 - (now - self._window[0])) + 1)
        self._window.append(now)
        return None

    async def _faulted(
        self, request: web.Request, handler: Handler, render_error: ErrorRenderer
    ) -> web.StreamResponse:
        faults = self.faults
        retry_after = self._retry_after()
        if retry_after is not None:
            response = render_error(429, "Too many requests")
            response.headers["Retry-After"] = str(retry_after)
            return response
        draw = self._rng.random
        if faults.timeout_rate and draw() < faults.timeout_rate:
            await self._sleep(faults.hang_ms / 1000)
        if faults.latency_ms:
            await self._sleep(faults.latency_ms / 1000)
        if faults.error_rate and draw() < faults.error_rate:
            return render_error(faults.error_status, "Injected sandbox fault")
        if faults.malformed_rate and draw() < faults.malformed_rate:
            return web.Response(body=MALFORMED_BODY, content_type="application/json")
        return await handler(request)

    def middleware(self, render_error: ErrorRenderer, prefix: str = "") -> Middleware:
        """An aiohttp middleware that logs each call and applies this provider's faults.

        ``prefix`` is the sandbox mount point; it is cut from the logged path so the log
        shows the platform's own path (``/v1/...``, ``/hl/v2/...``).
        """

        @web.middleware
        async def control(request: web.Request, handler: Handler) -> web.StreamResponse:
            started = self._monotonic()
            status = 500
            try:
                response = await self._faulted(request, handler, render_error)
                status = response.status
                return response
            except web.HTTPException as exc:
                status = exc.status
                raise
            except asyncio.CancelledError:
                status = CLIENT_CLOSED  # the client hung up before the answer
                raise
            finally:
                path = request.path.removeprefix(prefix) or "/"
                ms = round((self._monotonic() - started) * 1000, 2)
                self.log.append(
                    LoggedRequest(
                        self.provider,
                        request.method,
                        path,
                        request.query_string,
                        status,
                        ms,
                    )
                )

        return control


Clock = Callable[[], datetime]
"""The simulators' only source of wall-clock time (injected, so tests can fix it)."""


def utc_now() -> datetime:
    """The current instant, timezone-aware UTC, to the millisecond."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
