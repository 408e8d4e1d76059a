"""Validation of the ``create_review`` body (seed + vendors.md 1.7).

Every documented constraint is enforced; a violation answers code 3 with a message
naming the field. ``media`` is accepted in the seed's object form
(``{images, thumbnails, video, video_thumbnail}``) and in the 2026 array form
(``[{url, thumbnail_url, type, is_published}]``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit

from .envelope import invalid, parse_time
from .store import IMAGE, SOURCES, VIDEO, Media, Reply

Body = Mapping[str, object]
MAX_IMAGES: Final = 10
FLAGS: Final = ("is_verified", "is_featured", "is_published", "is_top")
_EMAIL: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_LIMITS: Final = {"title": 300, "content": 10_000, "item_type": 120}
_OPTIONAL_TEXT: Final = ("author_phone", "author_country", "tag")


@dataclass(frozen=True, slots=True)
class ReviewInput:
    """A valid ``create_review`` request, ready to become a stored review."""

    product_id: int
    rating: int
    author: str
    commented_at: datetime
    source: str
    flags: dict[str, int]
    texts: dict[str, str]
    """author_email, author_phone, author_country, title, content, item_type, tag."""
    order_id: str
    media: tuple[Media, ...]
    reply: Reply | None


def _as_int(value: object) -> int | None:
    """``value`` if it is a JSON integer (``true`` is not), else ``None``."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _string(body: Body, name: str, limit: int | None = None) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(f"{name} must be a string")
    if limit is not None and len(value) > limit:
        raise invalid(f"{name} must be at most {limit} characters")
    return value


def _required(body: Body, name: str) -> object:
    if body.get(name) is None:
        raise invalid(f"{name} is required")
    return body[name]


def _time(value: object, name: str) -> datetime:
    parsed = parse_time(value) if isinstance(value, str) else None
    if parsed is None:
        raise invalid(f"{name} must be a time like 2025-06-20 00:00:00")
    return parsed


def check_url(value: object, name: str) -> str:
    """``value`` when it is an absolute http(s) URL, else code 3 naming ``name``."""
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid(f"{name} must be an http(s) URL")
    return str(value)


def check_email(value: object, name: str) -> str:
    """``value`` when it is a plausible e-mail address, else code 3."""
    if not isinstance(value, str) or not _EMAIL.match(value):
        raise invalid(f"{name} must be a valid e-mail address")
    return value


def _product_id(body: Body) -> int:
    value = body.get("product_id")
    if value is None or value == "":
        return 0
    # The 2026 docs send the id as a string; the seed as an integer.
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    number = _as_int(value)
    if number is None or number < 0:
        raise invalid("product_id must be a non-negative integer")
    return number


def _order_id(body: Body) -> str:
    value = body.get("order_id")
    if value is None:
        return ""
    if _as_int(value) is not None:
        return str(value)
    if not isinstance(value, str):
        raise invalid("order_id must be a string")
    return value


def _scalars(body: Body) -> tuple[int, str, datetime, str]:
    rating = _as_int(_required(body, "rating"))
    if rating is None or not 1 <= rating <= 5:
        raise invalid("rating must be an integer from 1 to 5")
    author = _required(body, "author")
    if not isinstance(author, str) or len(author) > 120:
        raise invalid("author must be a string of at most 120 characters")
    commented_at = _time(_required(body, "commented_at"), "commented_at")
    source = _required(body, "source")
    if source not in SOURCES:
        raise invalid(f"source must be one of: {', '.join(SOURCES)}")
    return rating, author, commented_at, str(source)


def _flags(body: Body) -> dict[str, int]:
    flags: dict[str, int] = {}
    for name in FLAGS:
        value = _as_int(_required(body, name))
        if value not in (0, 1):
            raise invalid(f"{name} must be 0 or 1")
        flags[name] = int(value or 0)
    return flags


def _texts(body: Body) -> dict[str, str]:
    texts = {name: _string(body, name, limit) for name, limit in _LIMITS.items()}
    texts |= {name: _string(body, name) for name in _OPTIONAL_TEXT}
    email = _string(body, "author_email")
    texts["author_email"] = check_email(email, "author_email") if email else ""
    return texts


def _url_list(media: Mapping[str, object], name: str) -> list[str]:
    value = media.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid(f"media.{name} must be an array of URLs")
    return [check_url(item, f"media.{name}") for item in value]


def _media_object(media: Mapping[str, object]) -> tuple[Media, ...]:
    images = _url_list(media, "images")
    if len(images) > MAX_IMAGES:
        raise invalid(f"media.images must have at most {MAX_IMAGES} items")
    thumbnails = _url_list(media, "thumbnails")
    items = [
        Media(url, thumbnails[i] if i < len(thumbnails) else url, IMAGE)
        for i, url in enumerate(images)
    ]
    video = media.get("video") or ""
    if video:
        thumb = media.get("video_thumbnail") or ""
        video_url = check_url(video, "media.video")
        thumb_url = check_url(thumb, "media.video_thumbnail") if thumb else ""
        items.append(Media(video_url, thumb_url, VIDEO))
    return tuple(items)


def _media_array(media: list[object]) -> tuple[Media, ...]:
    items: list[Media] = []
    for entry in media:
        if not isinstance(entry, dict):
            raise invalid("media items must be objects with url, thumbnail_url, type")
        kind = _as_int(entry.get("type", IMAGE))
        if kind not in (IMAGE, VIDEO):
            raise invalid("media.type must be 1 (image) or 2 (video)")
        url = check_url(entry.get("url"), "media.url")
        thumb = entry.get("thumbnail_url") or url
        items.append(Media(url, check_url(thumb, "media.thumbnail_url"), kind or IMAGE))
    if sum(m.type == IMAGE for m in items) > MAX_IMAGES:
        raise invalid(f"media.images must have at most {MAX_IMAGES} items")
    return tuple(items)


def _media(body: Body) -> tuple[Media, ...]:
    media = body.get("media")
    if media is None:
        return ()
    if isinstance(media, dict):
        return _media_object(media)
    if isinstance(media, list):
        return _media_array(media)
    raise invalid("media must be an object")


def _reply(body: Body, now: datetime) -> Reply | None:
    reply = body.get("reply")
    if reply is None:
        return None
    if not isinstance(reply, dict):
        raise invalid("reply must be an object with content and reply_at")
    content = _string(reply, "content")
    if not content:
        return None
    at = reply.get("reply_at")
    return Reply(content, _time(at, "reply.reply_at") if at else now)


def parse_review(body: object, now: datetime) -> ReviewInput:
    """Validate a decoded JSON body; raise code 3 naming the first bad field."""
    if not isinstance(body, dict):
        raise invalid("request body must be a JSON object")
    rating, author, commented_at, source = _scalars(body)
    return ReviewInput(
        product_id=_product_id(body),
        rating=rating,
        author=author,
        commented_at=commented_at,
        source=source,
        flags=_flags(body),
        texts=_texts(body),
        order_id=_order_id(body),
        media=_media(body),
        reply=_reply(body, now),
    )
