"""Opaque global ids (Relay ``Node.id``) and their decoding.

An id is the URL-safe base64 of a small JSON array: the type name, then what finds the
object again (provider and platform id, plus a locator where the platform needs one).
Clients must treat ids as opaque; the encoding may change.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from gateway.errors import InvalidInput
from gateway.records import Provider, ReviewKey


@dataclass(frozen=True, slots=True)
class ReviewId:
    """A decoded review id."""

    provider: Provider
    key: ReviewKey


@dataclass(frozen=True, slots=True)
class ProductId:
    """A decoded product id."""

    sku: str


@dataclass(frozen=True, slots=True)
class ConversationId:
    """A decoded conversation id."""

    provider: Provider
    id: str


NodeId = ReviewId | ProductId | ConversationId


def _encode(parts: list[str | None]) -> str:
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def review_id(provider: Provider, key: ReviewKey) -> str:
    parts: list[str | None] = ["Review", provider.value, key.id]
    if key.locator is not None:
        parts.append(key.locator)
    return _encode(parts)


def product_id(sku: str) -> str:
    return _encode(["Product", sku])


def conversation_id(provider: Provider, conversation: str) -> str:
    return _encode(["Conversation", provider.value, conversation])


def _parts(value: str) -> list[object]:
    try:
        padded = value + "=" * (-len(value) % 4)
        parts = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidInput(f"{value!r} is not an id of this graph") from None
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise InvalidInput(f"{value!r} is not an id of this graph")
    return parts


def _provider(name: object, value: str) -> Provider:
    try:
        return Provider(str(name))
    except ValueError:
        raise InvalidInput(f"{value!r} is not an id of this graph") from None


def decode(value: str) -> NodeId:
    """Decode any node id; ``InvalidInput`` when it is not one of ours."""
    parts = _parts(value)
    kind, rest = parts[0] if parts else None, parts[1:]
    if kind == "Review" and len(rest) in (2, 3):
        locator = str(rest[2]) if len(rest) == 3 else None
        return ReviewId(_provider(rest[0], value), ReviewKey(str(rest[1]), locator))
    if kind == "Product" and len(rest) == 1:
        return ProductId(str(rest[0]))
    if kind == "Conversation" and len(rest) == 2:
        return ConversationId(_provider(rest[0], value), str(rest[1]))
    raise InvalidInput(f"{value!r} is not an id of this graph")


def decode_review(value: str) -> ReviewId:
    """Decode a review id; ``InvalidInput`` for anything else."""
    node = decode(value)
    if not isinstance(node, ReviewId):
        raise InvalidInput(f"{value!r} is not a review id")
    return node
