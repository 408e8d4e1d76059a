"""Trustoo's wire format (Reviews Data API, mid-2025 docs) as ``TypedDict`` shapes.

Documentation only for the answers: the mappers in ``mapping.py`` check every field
they read, because a ``TypedDict`` cast checks nothing. The request body of
``create_review`` is built as ``CreateReviewBody`` so mypy checks its keys.
Field lists: vendors.md 1.6-1.8 plus the simulator's documented additions.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class Envelope(TypedDict):
    """Every answer: ``code`` 0 (2000 in older docs) is success."""

    code: int
    message: str
    time: NotRequired[int]
    request_id: NotRequired[str]
    data: NotRequired[object]


class PageInfo(TypedDict):
    """``data.page`` of a list answer."""

    page: int
    page_size: int
    total_page: int
    count: int


class ListData(TypedDict):
    """``data`` of a list answer (reviews, orders, events, exclusions)."""

    page: PageInfo
    list: list[object]


class MediaItem(TypedDict):
    """One attachment of a review; ``type`` 1 image, 2 video."""

    url: str
    thumbnail_url: NotRequired[str]
    type: int


class MediaObject(TypedDict):
    """The seed's ``media`` form of create_review (and of older answers)."""

    images: list[str]
    thumbnails: list[str]
    video: str
    video_thumbnail: str


class ReplyBody(TypedDict):
    """The merchant's reply, ``reply_at`` as ``YYYY-MM-DD HH:MM:SS`` (UTC)."""

    content: str
    reply_at: str


class Review(TypedDict):
    """A review of get_reviews / get_review (vendors.md 1.8 + simulator extras)."""

    id: int
    rating: int
    author: str
    commented_at: str
    author_email: NotRequired[str]
    author_phone: NotRequired[str]
    author_country: NotRequired[str]
    title: NotRequired[str]
    content: NotRequired[str]
    is_verified: NotRequired[int]
    is_featured: NotRequired[int]
    is_published: NotRequired[int]
    is_top: NotRequired[int]
    media: NotRequired[list[MediaItem] | MediaObject]
    reply: NotRequired[ReplyBody | None]
    product_id: NotRequired[int]
    product_title: NotRequired[str]
    product_handle: NotRequired[str]
    item_type: NotRequired[str]
    order_id: NotRequired[str]
    tag: NotRequired[str]
    source: NotRequired[str]
    created_at: NotRequired[str]
    updated_at: NotRequired[str]


class CreateReviewBody(TypedDict):
    """The create_review request body (seed example, vendors.md 1.7)."""

    rating: int
    author: str
    commented_at: str
    source: str
    is_verified: int
    is_featured: int
    is_published: int
    is_top: int
    product_id: int
    author_email: NotRequired[str]
    author_phone: NotRequired[str]
    author_country: NotRequired[str]
    order_id: NotRequired[str]
    title: NotRequired[str]
    content: NotRequired[str]
    item_type: NotRequired[str]
    tag: NotRequired[str]
    media: NotRequired[MediaObject]
    reply: NotRequired[ReplyBody]


class Rating(TypedDict):
    """``data`` of get_rating; ``rating_value`` is a string ("4.5")."""

    rating_value: str
    review_count: int
    star1_count: int
    star2_count: int
    star3_count: int
    star4_count: int
    star5_count: int


class Webhook(TypedDict):
    """A shop webhook; ``id`` is a string on the wire, an integer in requests."""

    id: str
    topic: str
    url: str
    created_at: NotRequired[str]
    updated_at: NotRequired[str]


class CustomerExclude(TypedDict):
    """A customer excluded from review-request e-mails."""

    customer_id: int
    email: str
    first_name: NotRequired[str]
    last_name: NotRequired[str]
    phone: NotRequired[str]
    created_at: NotRequired[str]
    updated_at: NotRequired[str]


class Order(TypedDict):
    """A review-request order (field names: the simulator's assumption)."""

    id: int
    order_id: str
    order_name: str
    customer_name: str
    customer_email: str
    status: int
    created_at: str
    scheduled_at: str | None
    sent_at: str | None


class CustomerEvent(TypedDict):
    """A widget event (field names: the simulator's assumption)."""

    id: int
    event_type: str
    event_source: str
    os_type: str
    customer_email: str
    product_id: int
    review_id: int
    created_at: str


class ImagePolicy(TypedDict):
    """``data`` of get_image_upload_policy_token (an OSS post policy)."""

    access_id: str
    host: str
    expire: int
    signature: str
    policy: str
    dir: str
    callback: str


class VideoUpload(TypedDict):
    """``data`` of get_video_upload_url (path and shape: simulator assumption)."""

    upload_url: str
    video_url: str
    expire: int
