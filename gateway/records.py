"""The canonical records: the only data shapes above the provider clients.

Providers map their platform's wire format into these frozen dataclasses; resolvers join
and merge them; the schema renders them. No platform field name appears here. Every
timestamp is timezone-aware UTC. ``raw`` keeps the platform's own payload for server
callers who need a field the common model does not carry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")

JSONObject = Mapping[str, object]


class Provider(StrEnum):
    """A review platform; the value is the provider's lower-case id."""

    TRUSTPILOT = "trustpilot"
    ETRUSTED = "etrusted"
    TRUSTOO = "trustoo"
    MAYAR = "mayar"


class ReviewStatus(StrEnum):
    """A review's moderation state, normalised over the platforms."""

    PUBLISHED = "published"
    PENDING = "pending"
    REJECTED = "rejected"
    ARCHIVED = "archived"
    HIDDEN = "hidden"


class ReviewKind(StrEnum):
    """What a review is about: a product, or the shop (its service) as a whole."""

    PRODUCT = "product"
    SHOP = "shop"


class MediaType(StrEnum):
    """The kind of a review attachment."""

    IMAGE = "image"
    VIDEO = "video"


class ConversationState(StrEnum):
    """Whether a reply thread is visible to the public."""

    PUBLIC = "public"
    PRIVATE = "private"


class CommentAuthorType(StrEnum):
    """Who wrote a comment in a conversation."""

    BUSINESS = "business"
    CONSUMER = "consumer"


@dataclass(frozen=True, slots=True)
class Author:
    """How a review's author is shown publicly."""

    display_name: str
    country: str | None = None


def public_name(full_name: str | None) -> str | None:
    """``Ani Suryani`` -> ``Ani S.``: how platforms show a reviewer publicly.

    First name and last initial (the full name is PII); ``None`` without a name.
    """
    parts = (full_name or "").split()
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0]}."


@dataclass(frozen=True, slots=True)
class Customer:
    """The reviewer's private details (PII: server credentials only)."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    order_reference: str | None = None
    provider_customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """One image or video attached to a review."""

    type: MediaType
    url: str
    thumbnail_url: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """The merchant's public reply to a review."""

    body: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    notify_customer: bool | None = None


@dataclass(frozen=True, slots=True)
class AttributeRating:
    """A rating of one product attribute (quality, value for money, ...)."""

    id: str
    name: str
    rating: int


@dataclass(frozen=True, slots=True)
class ProductRef:
    """A product as one platform identifies it; ``sku`` None when unknown."""

    provider: Provider
    provider_product_id: str | None
    sku: str | None = None
    name: str | None = None
    gtin: str | None = None
    mpn: str | None = None
    brand: str | None = None
    url: str | None = None
    image_url: str | None = None


@dataclass(frozen=True, slots=True)
class Review:
    """One review from one platform, in the common model."""

    provider: Provider
    provider_review_id: str
    rating: int
    rating_exact: float
    created_at: datetime
    status: ReviewStatus
    author: Author
    title: str | None = None
    body: str | None = None
    language: str | None = None
    updated_at: datetime | None = None
    verified: bool | None = None
    imported: bool = False
    product: ProductRef | None = None
    media: tuple[Media, ...] = ()
    reply: Reply | None = None
    conversation_id: str | None = None
    attribute_ratings: tuple[AttributeRating, ...] = ()
    customer: Customer | None = None
    locator: str | None = None
    """What the client needs besides the id to fetch this review again (Mayar has no
    get-by-id: the payment link); ``None`` where the id suffices. It is part of the
    public id: never a customer identifier."""
    raw: JSONObject = field(default_factory=dict, compare=False)
    kind: ReviewKind = ReviewKind.PRODUCT
    """Set by the platform's own marker (eTrusted ``SERVICE_REVIEW``, Trustoo
    ``product_id`` 0), not from ``product``: some lists name no product at all."""

    @property
    def key(self) -> ReviewKey:
        return ReviewKey(self.provider_review_id, self.locator)


@dataclass(frozen=True, slots=True)
class ReviewKey:
    """How to fetch one review again from its platform: its id and locator."""

    id: str
    locator: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewQuery:
    """Which reviews to list from one platform; every field narrows the result.

    ``skus`` None means every review of the platform, product and shop reviews alike;
    ``()`` is never sent. ``shop`` True selects shop/service reviews only, False
    product reviews only, None both (with ``skus``, only product reviews can match).
    """

    skus: tuple[str, ...] | None = None
    shop: bool | None = None
    statuses: frozenset[ReviewStatus] = frozenset({ReviewStatus.PUBLISHED})
    ratings: frozenset[int] | None = None
    language: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class StarDistribution:
    """How many reviews gave each number of stars."""

    one: int = 0
    two: int = 0
    three: int = 0
    four: int = 0
    five: int = 0

    @property
    def total(self) -> int:
        return self.one + self.two + self.three + self.four + self.five

    def __add__(self, other: StarDistribution) -> StarDistribution:
        return StarDistribution(
            self.one + other.one,
            self.two + other.two,
            self.three + other.three,
            self.four + other.four,
            self.five + other.five,
        )

    @classmethod
    def of(cls, counts: Mapping[int, int]) -> StarDistribution:
        """From a ``{stars: count}`` mapping (stars 1..5)."""
        return cls(*(counts.get(stars, 0) for stars in range(1, 6)))


@dataclass(frozen=True, slots=True)
class RatingSummary:
    """Count, average and distribution of ratings; ``sku`` None means shop-wide."""

    provider: Provider
    sku: str | None
    count: int
    average: float | None
    distribution: StarDistribution


@dataclass(frozen=True, slots=True)
class AttributeSummary:
    """The aggregated ratings of one product attribute."""

    id: str
    name: str
    count: int
    average: float | None
    distribution: StarDistribution


@dataclass(frozen=True, slots=True)
class Comment:
    """One message in a review's conversation."""

    id: str
    body: str
    created_at: datetime
    author_type: CommentAuthorType
    author_id: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    """A review's reply thread (Trustpilot)."""

    provider: Provider
    id: str
    state: ConversationState
    comments: tuple[Comment, ...] = ()
    review_id: str | None = None

    def public_reply(self) -> Reply | None:
        """A public thread's first business answer, as a reply; ``None`` otherwise.

        This is a Trustpilot review's ``reply``: the platform has no reply field.
        """
        if self.state is not ConversationState.PUBLIC:
            return None
        answers = [
            c for c in self.comments if c.author_type is CommentAuthorType.BUSINESS
        ]
        if not answers:
            return None
        first = min(answers, key=lambda c: c.created_at)
        return Reply(first.body, first.created_at, first.updated_at)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a platform's list and that platform's own position of the next.

    ``next`` is opaque to everyone but the client that made it (a page number, a review
    id, a ``startingAfter``); ``None`` means this is the last page.
    """

    items: tuple[T, ...]
    next: str | None = None
    total: int | None = None


@dataclass(frozen=True, slots=True)
class ReviewReport:
    """A report (eTrusted veto) filed against a review."""

    id: str
    reason: str
    comment: str | None = None
    ticket_id: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class InvitationLink:
    """A link a customer follows to review what they bought."""

    id: str
    url: str


@dataclass(frozen=True, slots=True)
class Channel:
    """An eTrusted channel (one shop or country) of the account."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Webhook:
    """A platform webhook subscription."""

    id: str
    topic: str
    url: str
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CustomerExclusion:
    """A customer who receives no review-request e-mails."""

    customer_id: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReviewRequestOrder:
    """An order and the state of its review-request e-mail."""

    id: str
    order_number: str | None
    customer_email: str | None
    customer_name: str | None
    status: str
    created_at: datetime | None = None
    scheduled_at: datetime | None = None
    sent_at: datetime | None = None
    raw: JSONObject = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class CustomerEvent:
    """A shopper's interaction with the review widgets."""

    id: str
    event_type: str
    created_at: datetime | None = None
    event_source: str | None = None
    os_type: str | None = None
    raw: JSONObject = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class UploadCredentials:
    """Short-lived credentials for uploading review media straight to storage."""

    provider: Provider
    fields: Mapping[str, str]
    expires_at: datetime | None = None
