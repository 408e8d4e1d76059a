"""Opaque, stable cursors of merged review lists.

A cursor records, for every platform in the list, that platform's own position: the
position of the page it was on (a page number, an ``after`` id, a ``startingAfter``:
whatever the client put in ``Page.next``), the page size used, and how many items of
that page were already returned. Resuming from a cursor re-reads that page (usually a
cache hit) and skips what was returned, so paging to the end yields every review once.
A cursor also carries the fingerprint of its list (scope, filter, order): used with
another list it is refused rather than silently misread.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from gateway.errors import InvalidInput

VERSION = 1


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


def encode(cursor: Cursor) -> str:
    body = {
        "v": VERSION,
        "l": cursor.fingerprint,
        "s": {
            name: [s.position, s.page_size, s.consumed, int(s.done)]
            for name, s in sorted(cursor.streams.items())
        },
    }
    raw = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _position(value: object) -> StreamPosition:
    if not isinstance(value, list) or len(value) != 4:
        raise ValueError("bad stream")
    position, size, consumed, done = value
    if position is not None and not isinstance(position, str):
        raise ValueError("bad position")
    if not all(isinstance(n, int) and n >= 0 for n in (size, consumed, done)):
        raise ValueError("bad counters")
    return StreamPosition(position, size, consumed, bool(done))


def decode(value: str, expected_fingerprint: str) -> Cursor:
    """Decode ``value``; ``InvalidInput`` if it is not a cursor of this list."""
    try:
        padded = value + "=" * (-len(value) % 4)
        body = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(body, dict) or body.get("v") != VERSION:
            raise ValueError("bad version")
        streams = body["s"]
        if not isinstance(streams, dict):
            raise ValueError("bad streams")
        cursor = Cursor(
            str(body["l"]), {str(k): _position(v) for k, v in streams.items()}
        )
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise InvalidInput("`after` is not a cursor of this list") from None
    if cursor.fingerprint != expected_fingerprint:
        raise InvalidInput(
            "`after` belongs to another list (a different filter, order or scope)"
        )
    return cursor
