"""Mayar's gatekeeping: the per-IP rate limit and the Bearer API-key check.

Keys come from the merchant dashboard in two kinds (M-intro): Read & Write (GET and
POST) and Read Only (GET only). A missing or unknown key gets 401 with the V1
collection's ``no authorization``; a Read Only key on a POST gets 403. Both answer
in the V2 envelope. The rate limit (M-rate: 20 requests a minute per IP) counts
every call, authorised or not, since it sits in front of the key check, and answers
429 with ``Retry-After`` in seconds.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from sandbox.catalog import MayarCredentials
from sandbox.mayar.settings import MayarSettings
from sandbox.mayar.wire import envelope

WINDOW_S = 60.0
READ_METHODS = frozenset({"GET", "HEAD"})


class RateLimiter:
    """A sliding one-minute window of calls per client IP."""

    def __init__(self, per_minute: int, seconds: Callable[[], float]) -> None:
        self.per_minute = per_minute
        self._seconds = seconds
        self._calls: dict[str, deque[float]] = {}

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may call again, or ``None`` (call counted)."""
        now = self._seconds()
        calls = self._calls.setdefault(client, deque())
        while calls and now - calls[0] >= WINDOW_S:
            calls.popleft()
        if len(calls) >= self.per_minute:
            return max(1, math.ceil(WINDOW_S - (now - calls[0])))
        calls.append(now)
        return None


def rate_limit_middleware(limiter: RateLimiter) -> Middleware:
    """Answer 429 (envelope + ``Retry-After``) once an IP used up its minute."""

    @web.middleware
    async def rate_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        wait = limiter.retry_after(request.remote or "unknown")
        if wait is None:
            return await handler(request)
        response = envelope(429, "Too Many Requests")
        response.headers["Retry-After"] = str(wait)
        return response

    return rate_limit


def bearer_key(request: web.Request) -> str | None:
    """The API key of ``Authorization: Bearer <key>`` (scheme case-insensitive)."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    key = key.strip()
    return key if scheme.lower() == "bearer" and key else None


def auth_middleware(
    credentials: MayarCredentials, settings: MayarSettings
) -> Middleware:
    """Let Read & Write keys through, Read Only keys on reads only; else 401/403."""

    @web.middleware
    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        key = bearer_key(request)
        if key == credentials.api_key:
            return await handler(request)
        if key == credentials.read_only_api_key:
            if request.method in READ_METHODS:
                return await handler(request)
            return envelope(403, settings.read_only_message)
        return envelope(401, settings.unauthorized_message)

    return auth
