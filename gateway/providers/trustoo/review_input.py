"""A new review for create_review, checked against every documented constraint.

vendors.md 1.7 (the seed's create_review): ``rating`` 1-5, ``author`` at most 120
characters, ``commented_at`` ``YYYY-MM-DD HH:MM:SS``, ``source`` from a fixed list,
four 0/1 flags, ``title`` <= 300, ``content`` <= 10000, ``item_type`` <= 120, at most
10 image URLs and one video, ``product_id`` 0 for a store review. A violation raises
``ProviderBadRequest`` (vendor_code ``INVALID_ARGUMENT``, vendor_message naming the
field) before any call, the same error the platform's own code 3 gives, so a caller
handles one shape whoever refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlsplit

from gateway.errors import ProviderBadRequest
from gateway.records import Media, MediaType, Reply

from .mapping import PROVIDER, ProductIndex
from .wire import CreateReviewBody, MediaObject

SOURCES: Final = (
    "CSV uploaded",
    "AliExpress",
    "Amazon",
    "Store front",
    "Store link",
    "Email request",
    "Auto",
    "Shop",
    "QR Code",
    "Shopee",
)
MAX_IMAGES: Final = 10
_LIMITS: Final = {"author": 120, "title": 300, "body": 10_000, "variant": 120}
TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"


def invalid(message: str) -> ProviderBadRequest:
    return ProviderBadRequest(
        PROVIDER.value,
        f"invalid review: {message}",
        vendor_code="INVALID_ARGUMENT",
        vendor_message=message,
    )


def wire_time(moment: datetime) -> str:
    """Trustoo's ``YYYY-MM-DD HH:MM:SS`` in UTC (the docs name no zone)."""
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def compact_json(value: object) -> bytes:
    """The exact bytes sent and signed (compact, ASCII-only: nothing to transcode)."""
    return json.dumps(value, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class ReviewDraft:
    """A review to create at Trustoo; ``sku`` None makes a store review.

    ``created_at`` (default: now) is when the customer wrote it. ``source`` is one
    of Trustoo's sources (``SOURCES``); ``featured`` and ``pinned`` are Trustoo's
    ``is_featured`` / ``is_top``; ``reply`` is created together with the review.
    """

    rating: int
    author: str
    sku: str | None = None
    title: str | None = None
    body: str | None = None
    created_at: datetime | None = None
    author_email: str | None = None
    author_phone: str | None = None
    author_country: str | None = None
    order_reference: str | None = None
    variant: str | None = None
    tag: str | None = None
    verified: bool = False
    published: bool = True
    featured: bool = False
    pinned: bool = False
    source: str = "Shop"
    media: Sequence[Media] = ()
    reply: Reply | None = None


def _check_scalars(draft: ReviewDraft) -> None:
    if isinstance(draft.rating, bool) or not isinstance(draft.rating, int):
        raise invalid("rating must be an integer from 1 to 5")
    if not 1 <= draft.rating <= 5:
        raise invalid("rating must be an integer from 1 to 5")
    for name, limit in _LIMITS.items():
        value = getattr(draft, name)
        if value is not None and len(value) > limit:
            raise invalid(f"{name} must be at most {limit} characters")
    if draft.source not in SOURCES:
        raise invalid(f"source must be one of: {', '.join(SOURCES)}")
    for name in ("created_at",):
        moment = getattr(draft, name)
        if moment is not None and moment.tzinfo is None:
            raise invalid(f"{name} must be timezone-aware")


def _url(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid(f"{name} must be an http(s) URL")
    return value


def _media(media: Sequence[Media]) -> MediaObject:
    images = [m for m in media if m.type is MediaType.IMAGE]
    videos = [m for m in media if m.type is MediaType.VIDEO]
    if len(images) > MAX_IMAGES:
        raise invalid(f"media may hold at most {MAX_IMAGES} images")
    if len(videos) > 1:
        raise invalid("media may hold at most one video")
    video = videos[0] if videos else None
    return {
        "images": [_url(m.url, "media url") for m in images],
        # thumbnails pair with images by position: an image without one uses itself
        "thumbnails": [_url(m.thumbnail_url or m.url, "media url") for m in images],
        "video": _url(video.url, "media url") if video else "",
        "video_thumbnail": (
            _url(video.thumbnail_url, "media url")
            if video and video.thumbnail_url
            else ""
        ),
    }


def _product_id(draft: ReviewDraft, products: ProductIndex) -> int:
    if draft.sku is None:
        return 0
    product_id = products.product_id(draft.sku)
    if product_id is None:
        raise invalid(f"sku {draft.sku} is not listed on Trustoo")
    return product_id


def _optional(draft: ReviewDraft, body: CreateReviewBody) -> None:
    texts = {
        "author_email": draft.author_email,
        "author_phone": draft.author_phone,
        "author_country": draft.author_country,
        "order_id": draft.order_reference,
        "title": draft.title,
        "content": draft.body,
        "item_type": draft.variant,
        "tag": draft.tag,
    }
    for key, value in texts.items():
        if value is not None:
            body[key] = value  # type: ignore[literal-required]


def create_review_body(
    draft: ReviewDraft, products: ProductIndex, now: datetime
) -> CreateReviewBody:
    """The create_review JSON body; raises ``ProviderBadRequest`` on any violation."""
    _check_scalars(draft)
    body: CreateReviewBody = {
        "rating": draft.rating,
        "author": draft.author,
        "commented_at": wire_time(draft.created_at or now),
        "source": draft.source,
        "is_verified": int(draft.verified),
        "is_featured": int(draft.featured),
        "is_published": int(draft.published),
        "is_top": int(draft.pinned),
        "product_id": _product_id(draft, products),
    }
    _optional(draft, body)
    if draft.media:
        body["media"] = _media(draft.media)
    if draft.reply is not None:
        if not draft.reply.body:
            raise invalid("reply body must not be empty")
        at = draft.reply.created_at or now
        if at.tzinfo is None:
            raise invalid("reply created_at must be timezone-aware")
        body["reply"] = {"content": draft.reply.body, "reply_at": wire_time(at)}
    return body
