"""Opaque, stable, signed cursors of merged review lists.

A cursor records, for every platform in the list, that platform's own position: the
position of the page it was on (a page number, an ``after`` id, a ``startingAfter``:
whatever the client put in ``Page.next``), the page size used, and how many items of
that page were already returned. The platforms read from the review index share one
stream, ``store``, whose position is the store's keyset token of the last review
returned (``ReviewStore.list_reviews``). Resuming from a cursor re-reads that page
(usually a cache hit) and skips what was returned, so paging to the end yields every
review once.
A cursor also carries the fingerprint of its list (scope, filter, order): used with
another list it is refused rather than silently misread.

A cursor is signed: ``base64url(payload || HMAC-SHA256(cursor_secret, payload)[:16])``
with the gateway's ``cursor_secret`` (``gateway.config``; generated per process when
not configured, so cursors then stop working at a restart). ``decode`` checks the tag
in constant time before it reads anything, then the ranges (page size within
``1..max_page_size``, counters within bounds, only known platforms): a forged,
altered or out-of-range cursor is ``InvalidInput`` (BAD_USER_INPUT), raised before
any platform is called. The signature is what makes the positions trustworthy: the
page size and the platforms' own positions cost upstream calls.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from gateway.config import Settings
from gateway.errors import InvalidInput
from gateway.records import Provider

VERSION: Final = 2
TAG_BYTES: Final = 16
"""HMAC-SHA256 truncated to 128 bits: forging one takes 2**128 guesses."""
MAX_CURSOR_CHARS: Final = 8192
"""Longer than any cursor this gateway issues: refused before it is decoded."""
MAX_CONSUMED: Final = 10_000
"""No page, and no list sorted in the gateway, holds more items than this."""
STORE_STREAM: Final = "store"
"""The stream of a list's indexed platforms: its position is the store's token."""
PLATFORMS: Final = frozenset(p.value for p in Provider)
STREAMS: Final = PLATFORMS | {STORE_STREAM}
NOT_OURS: Final = (
    "`after` is not a cursor this gateway issued for this list "
    "(altered, or issued before a restart)"
)


@dataclass(frozen=True, slots=True)
class StreamPosition:
    """Where one platform's stream stands inside a merged list."""

    position: str | None = None
    page_size: int = 0
    consumed: int = 0
    done: bool = False


@dataclass(frozen=True, slots=True)
class Cursor:
    """The positions of every platform after one edge of a merged list."""

    fingerprint: str
    streams: Mapping[str, StreamPosition]


def fingerprint(*parts: object) -> str:
    """A short digest of what defines a list (scope, filter, order)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _tag(settings: Settings, payload: bytes) -> bytes:
    key = settings.cursor_secret.reveal().encode()
    return hmac.new(key, payload, hashlib.sha256).digest()[:TAG_BYTES]


def encode(cursor: Cursor, settings: Settings) -> str:
    """The opaque, signed text of ``cursor`` (compact JSON, tag, base64url)."""
    body = {
        "v": VERSION,
        "l": cursor.fingerprint,
        "s": {
            name: [s.position, s.page_size, s.consumed, int(s.done)]
            for name, s in sorted(cursor.streams.items())
        },
    }
    payload = json.dumps(body, separators=(",", ":")).encode()
    signed = payload + _tag(settings, payload)
    return base64.urlsafe_b64encode(signed).decode().rstrip("=")


def _counter(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"`after` holds a malformed {what}")
    if not low <= value <= high:
        raise InvalidInput(f"`after` holds a {what} outside {low}..{high}")
    return value


def _position(name: str, value: object, max_page_size: int) -> StreamPosition:
    if name not in STREAMS:
        raise InvalidInput("`after` names a platform this gateway does not know")
    if not isinstance(value, list) or len(value) != 4:
        raise InvalidInput(NOT_OURS)
    position, size, consumed, done = value
    if position is not None and not isinstance(position, str):
        raise InvalidInput(NOT_OURS)
    return StreamPosition(
        position,
        _counter(size, 1, max_page_size, "page size"),
        _counter(consumed, 0, MAX_CONSUMED, "count of returned items"),
        bool(_counter(done, 0, 1, "end mark")),
    )


def _verified(value: str, settings: Settings) -> object:
    """The payload of ``value`` when its tag is right, else ``InvalidInput``."""
    if len(value) > MAX_CURSOR_CHARS:
        raise InvalidInput(NOT_OURS)
    try:
        signed = base64.urlsafe_b64decode((value + "=" * (-len(value) % 4)).encode())
    except (binascii.Error, ValueError):
        raise InvalidInput(NOT_OURS) from None
    payload, tag = signed[:-TAG_BYTES], signed[-TAG_BYTES:]
    if len(signed) <= TAG_BYTES or not hmac.compare_digest(
        tag, _tag(settings, payload)
    ):
        raise InvalidInput(NOT_OURS)
    try:
        return json.loads(payload)
    except ValueError:  # also UnicodeDecodeError
        raise InvalidInput(NOT_OURS) from None


def decode(value: str, expected_fingerprint: str, settings: Settings) -> Cursor:
    """Verify and decode ``value``; ``InvalidInput`` unless it is a cursor of this list.

    Nothing is read before the signature checks out; then every counter is checked
    against its range and every platform name against the known platforms.
    """
    body = _verified(value, settings)
    if not isinstance(body, dict) or body.get("v") != VERSION:
        raise InvalidInput(NOT_OURS)
    streams = body.get("s")
    fingerprint = body.get("l")
    if not isinstance(streams, dict) or not isinstance(fingerprint, str):
        raise InvalidInput(NOT_OURS)
    if fingerprint != expected_fingerprint:
        raise InvalidInput(
            "`after` belongs to another list (a different filter, order or scope)"
        )
    maximum = settings.max_page_size
    return Cursor(
        fingerprint,
        {str(k): _position(str(k), v, maximum) for k, v in streams.items()},
    )
