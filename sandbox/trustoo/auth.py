"""Trustoo request signing (vendors.md 1.3, mode A: HMAC-SHA256).

A request carries ``Public-Token`` (identifies the shop), ``Timestamp`` (Unix
seconds) and ``Sign``: the lowercase hex HMAC-SHA256, keyed with the private token,
of every query parameter plus ``timestamp=<Timestamp>`` as decoded ``(key, value)``
pairs sorted by key (stable for repeated keys), rendered ``k=v`` joined by ``&``;
a non-empty body is appended as ``|`` + the exact raw body. Any failure answers
business code 16.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime

from aiohttp import web

from sandbox.catalog import TrustooCredentials

from .envelope import UNAUTHENTICATED_MESSAGE, Code, TrustooError
from .settings import TrustooSettings


def string_to_sign(query: Iterable[tuple[str, str]], timestamp: str) -> str:
    """The canonical query part: sorted ``k=v`` pairs including the timestamp."""
    pairs = [*query, ("timestamp", timestamp)]
    pairs.sort(key=lambda pair: pair[0])  # sort() is stable: repeats keep order
    return "&".join(f"{key}={value}" for key, value in pairs)


def sign(
    private_token: str,
    query: Iterable[tuple[str, str]],
    timestamp: str,
    body: bytes = b"",
) -> str:
    """The ``Sign`` header value for a request."""
    message = string_to_sign(query, timestamp).encode()
    if body:
        message += b"|" + body
    return hmac.new(private_token.encode(), message, hashlib.sha256).hexdigest()


def _unauthenticated() -> TrustooError:
    return TrustooError(Code.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE)


async def authenticate(
    request: web.Request,
    credentials: TrustooCredentials,
    settings: TrustooSettings,
    now: datetime,
) -> None:
    """Raise code 16 unless the request is signed by the shop's private token."""
    headers = request.headers  # a CIMultiDict: header names are case-insensitive
    public = headers.get("Public-Token", "")
    timestamp = headers.get("Timestamp", "")
    given = headers.get("Sign", "")
    if not public or not hmac.compare_digest(public, credentials.public_token):
        raise _unauthenticated()
    if not settings.verify_signature:
        return
    if not (timestamp and given and timestamp.isascii() and timestamp.isdigit()):
        raise _unauthenticated()
    if abs(now.timestamp() - int(timestamp)) > settings.timestamp_tolerance_s:
        raise _unauthenticated()
    body = await request.read()
    expected = sign(credentials.private_token, request.query.items(), timestamp, body)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise _unauthenticated()
