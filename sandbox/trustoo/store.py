"""The Trustoo shop's in-memory state: reviews, webhooks, exclusions, orders, events.

Records are frozen; writes replace them in the store's dicts, so a later read sees
the change. ``to_json`` renders each record exactly as the Open API answers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sandbox.catalog import CatalogProduct

from .envelope import Code, TrustooError, format_time, not_found

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
WEBHOOK_TOPICS: Final = (
    "review/created",
    "review/updated",
    "review/deleted",
    "customer_event/created",
)
EVENT_TYPES: Final = (
    "VIEW_REVIEW",
    "EXPAND_CONTENT",
    "SUBMIT_REVIEW",
    "CLICK_REVIEW",
    "PAGINATION",
    "FILTER_REVIEW",
    "SORT_REVIEW",
    "CLICK_MEDIA",
    "CLOSE_VIDEO_POPUP",
)
OS_TYPES: Final = ("IOS", "ANDROID", "WINDOWS", "MACOS", "LINUX", "OTHER")
EVENT_SOURCES: Final = ("STOREFRONT", "EMAIL", "ADMIN")
IMAGE: Final = 1
VIDEO: Final = 2


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else format_time(moment)


@dataclass(frozen=True, slots=True)
class Media:
    """One photo or video of a review; ``type`` 1 = image, 2 = video."""

    url: str
    thumbnail_url: str
    type: int

    def to_json(self) -> dict[str, object]:
        return {"url": self.url, "thumbnail_url": self.thumbnail_url, "type": self.type}


@dataclass(frozen=True, slots=True)
class Reply:
    """The merchant's public reply, set when the review is created."""

    content: str
    reply_at: datetime

    def to_json(self) -> dict[str, object]:
        return {"content": self.content, "reply_at": format_time(self.reply_at)}


@dataclass(frozen=True, slots=True)
class Review:
    """A product review (``product_id`` > 0) or a store review (``product_id`` 0)."""

    id: int
    product_id: int
    rating: int
    author: str
    author_email: str
    author_phone: str
    author_country: str
    title: str
    content: str
    commented_at: datetime
    created_at: datetime
    updated_at: datetime
    source: str
    is_verified: int
    is_featured: int
    is_published: int
    is_top: int
    item_type: str = ""
    order_id: str = ""
    tag: str = ""
    media: tuple[Media, ...] = ()
    reply: Reply | None = None

    def to_json(self, product: CatalogProduct | None) -> dict[str, object]:
        """The review object of ``get_reviews`` / ``get_review`` (vendors.md 1.8)."""
        return {
            "id": self.id,
            "rating": self.rating,
            "author": self.author,
            "author_email": self.author_email,
            "author_phone": self.author_phone,
            "author_country": self.author_country,
            "title": self.title,
            "content": self.content,
            "commented_at": format_time(self.commented_at),
            "is_verified": self.is_verified,
            "is_featured": self.is_featured,
            "is_published": self.is_published,
            "is_top": self.is_top,
            "media": [m.to_json() for m in self.media],
            "reply": None if self.reply is None else self.reply.to_json(),
            "product_id": self.product_id,
            "product_title": product.name if product else "",
            "product_handle": product.handle if product else "",
            "item_type": self.item_type,
            "order_id": self.order_id,
            "tag": self.tag,
            "source": self.source,
            "created_at": format_time(self.created_at),
            "updated_at": format_time(self.updated_at),
        }


@dataclass(frozen=True, slots=True)
class Webhook:
    """A webhook subscription of the shop."""

    id: int
    topic: str
    url: str
    created_at: datetime
    updated_at: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "topic": self.topic,
            "url": self.url,
            "created_at": format_time(self.created_at),
            "updated_at": format_time(self.updated_at),
        }


@dataclass(frozen=True, slots=True)
class Customer:
    """A Shopify customer of the shop (the people behind the seeded orders)."""

    customer_id: int
    first_name: str
    last_name: str
    email: str
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A customer who gets no review-request e-mails."""

    customer_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    created_at: datetime
    updated_at: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "customer_id": self.customer_id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "created_at": format_time(self.created_at),
            "updated_at": format_time(self.updated_at),
        }


@dataclass(frozen=True, slots=True)
class Order:
    """A Shopify order and the state of its review-request e-mail (``status`` 1..6)."""

    id: int
    order_id: str
    order_name: str
    customer_name: str
    customer_email: str
    status: int
    created_at: datetime
    scheduled_at: datetime | None
    sent_at: datetime | None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "order_id": self.order_id,
            "order_name": self.order_name,
            "customer_name": self.customer_name,
            "customer_email": self.customer_email,
            "status": self.status,
            "created_at": format_time(self.created_at),
            "scheduled_at": _time(self.scheduled_at),
            "sent_at": _time(self.sent_at),
        }


@dataclass(frozen=True, slots=True)
class CustomerEvent:
    """One tracked shopper interaction with the review widget or e-mails."""

    id: int
    event_type: str
    event_source: str
    os_type: str
    customer_email: str
    product_id: int
    review_id: int
    created_at: datetime

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "event_type": self.event_type,
            "event_source": self.event_source,
            "os_type": self.os_type,
            "customer_email": self.customer_email,
            "product_id": self.product_id,
            "review_id": self.review_id,
            "created_at": format_time(self.created_at),
        }


@dataclass(slots=True)
class TrustooStore:
    """Everything one sandbox shop holds at Trustoo; mutated by the write endpoints."""

    products: dict[int, CatalogProduct]
    reviews: dict[int, Review]
    webhooks: dict[int, Webhook]
    exclusions: dict[int, Exclusion]
    customers: dict[str, Customer]
    """Keyed by lower-cased e-mail."""
    orders: list[Order]
    events: list[CustomerEvent]
    unsubscribes: set[tuple[str, str]] = field(default_factory=set)

    def review(self, review_id: int) -> Review:
        found = self.reviews.get(review_id)
        if found is None:
            raise not_found(f"review {review_id} not found")
        return found

    def next_review_id(self) -> int:
        return max(self.reviews, default=0) + 1

    def add_review(self, review: Review) -> Review:
        self.reviews[review.id] = review
        return review

    def delete_review(self, review_id: int) -> None:
        self.review(review_id)
        del self.reviews[review_id]

    def webhook(self, webhook_id: int) -> Webhook:
        found = self.webhooks.get(webhook_id)
        if found is None:
            raise not_found(f"webhook {webhook_id} not found")
        return found

    def save_webhook(self, webhook: Webhook) -> Webhook:
        """Insert or replace ``webhook``; code 6 when its topic+url is taken."""
        for other in self.webhooks.values():
            if other.id != webhook.id and (other.topic, other.url) == (
                webhook.topic,
                webhook.url,
            ):
                raise TrustooError(
                    Code.ALREADY_EXISTS, "webhook for this topic and url already exists"
                )
        self.webhooks[webhook.id] = webhook
        return webhook

    def next_webhook_id(self) -> int:
        return max(self.webhooks, default=0) + 1

    def customer(self, email: str) -> Customer:
        """The customer with ``email``, created on first sight (as Shopify would)."""
        key = email.lower()
        known = self.customers.get(key)
        if known is None:
            next_id = max((c.customer_id for c in self.customers.values()), default=0)
            known = Customer(next_id + 1, "", "", email)
            self.customers[key] = known
        return known

    def exclusion_by_email(self, email: str) -> Exclusion | None:
        wanted = email.lower()
        return next(
            (e for e in self.exclusions.values() if e.email.lower() == wanted), None
        )
