"""Trustpilot's documented rate limits, enforced per API key (vendors.md 3.3).

Trustpilot asks integrators to stay under 833 calls per 5 minutes and 10,000 calls
per hour and answers 429 beyond (P-rate, P-auth); the response headers are not
documented, so the 429 carries ``Retry-After`` (seconds), as Mayar's does and as
the taps that retry on 429 expect. Counting is per API key, the identity Apigee
meters: the ``apikey`` header (or ``?apikey=``), else the key of the token
endpoint's ``Basic`` credentials (a ``client_id`` form field is not read: the body
stays untouched), else, for a Bearer call, the key its token was issued to (the
sandbox's one key). A call that names no key is counted per client IP. Every call
counts, authorised or not, since the limit sits in front of the key check.
"""

from __future__ import annotations

import base64
import binascii

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from sandbox.ratelimit import SlidingLimiter

from .errors import fault
from .state import context


def client_key(request: web.Request) -> str:
    """The identity a call is counted against (see the module docstring)."""
    ctx = context(request)
    key = request.headers.get("apikey") or request.query.get("apikey")
    if key:
        return f"key:{key}"
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        if decoded.partition(":")[0]:
            return f"key:{decoded.partition(':')[0]}"
    if scheme.lower() == "bearer" and value.strip() in ctx.tokens.access:
        return f"key:{ctx.credentials.api_key}"
    return f"ip:{request.remote or 'unknown'}"


def rate_limit_middleware(limiter: SlidingLimiter) -> Middleware:
    """Answer 429 (fault envelope + ``Retry-After``) once a key used up a window."""

    @web.middleware
    async def rate_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        wait = limiter.retry_after(client_key(request))
        if wait is None:
            return await handler(request)
        response = fault(429, "Rate limit quota violation", "policies.ratelimit")
        response.headers["Retry-After"] = str(wait)
        return response

    return rate_limit
