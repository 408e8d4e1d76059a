"""Trustpilot's JSON shapes, field for field as its documentation prints them.

Reference only for what we read (the mappers in ``mapping`` validate every field they
use, since a ``TypedDict`` checks nothing at run time); the request bodies we build
are typed with these. Source: shared/seeds/001_b2dedfb9f00f460c.txt and
shared/vendors.md section 3. Empty values come as ``null``, not omitted.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class Link(TypedDict):
    """One ``links[]`` entry; ``rel`` is ``self``/``next-page``/``prev-page``."""

    href: str
    method: str
    rel: str


class NumberOfReviews(TypedDict):
    """Star distribution of a summary."""

    total: int
    oneStar: int
    twoStars: int
    threeStars: int
    fourStars: int
    fiveStars: int


class Summary(TypedDict):
    """Product summary, imported summary, one batch or private-list entry."""

    sku: NotRequired[str]
    numberOfReviews: NumberOfReviews
    starsAverage: float
    links: NotRequired[list[Link]]


class AttributeRatingWire(TypedDict):
    """A review's rating of one attribute."""

    attributeId: str
    attributeName: str
    rating: int


class ProcessedFile(TypedDict):
    """One rendition of an attachment (``dimension`` like ``1024pxWide``)."""

    dimension: str
    mimeType: str
    url: str


class Attachment(TypedDict):
    """An uploaded image and its renditions."""

    id: str
    state: str
    processedFiles: list[ProcessedFile]


class ProductImage(TypedDict):
    """A product image (``type`` like ``100pxWide``)."""

    type: str
    url: str


class Product(TypedDict):
    """The reviewed product as the private review shows it."""

    id: str
    productUrl: str | None
    productImages: list[ProductImage]
    name: str | None
    sku: str
    gtin: str | None
    mpn: str | None
    brand: str | None


class PrivateConsumer(TypedDict):
    """The reviewer with private details (the name the business knows)."""

    id: str
    email: str | None
    name: str | None


class PrivateReview(TypedDict):
    """GET /v1/private/product-reviews/{id} and the private list's items."""

    id: str
    createdAt: str
    updatedAt: str | None
    businessUnitId: str
    stars: int
    content: str | None
    product: Product
    consumer: PrivateConsumer
    referenceId: str | None
    locale: str | None
    language: str | None
    redirectUri: str | None
    state: str
    hasModerationHistory: bool
    conversationId: str | None
    attributeRatings: list[AttributeRatingWire]
    attachments: list[Attachment]


class PublicConsumer(TypedDict):
    """The reviewer as the public sees them."""

    id: str
    displayName: str


class PublicReview(TypedDict):
    """An item of the API-key product reviews list."""

    id: str
    createdAt: str
    stars: int
    content: str | None
    consumer: PublicConsumer
    language: str | None
    attributeRatings: list[AttributeRatingWire]
    attachments: list[Attachment]


class ImportedConsumer(TypedDict):
    """An imported review's author: a name only."""

    name: str


class ImportedReview(TypedDict):
    """An imported review: no id, no state, no product."""

    createdAt: str
    stars: int
    content: str | None
    consumer: ImportedConsumer
    language: str | None


class ReviewList(TypedDict):
    """A page of reviews (``total`` on the private list only)."""

    productReviews: list[PrivateReview]
    links: list[Link]
    total: NotRequired[int]


class AttributeOccurrences(TypedDict):
    """How often each rating 1..5 was given to an attribute."""

    one: int
    two: int
    three: int
    four: int
    five: int


class AttributeWire(TypedDict):
    """One attribute of an attribute summary."""

    id: str
    name: str
    type: str
    options: list[object]
    totalOccurrences: int
    occurrences: AttributeOccurrences
    average: float


class AttributeSummaryWire(TypedDict):
    """An attribute-summaries entry (the docs' sample shows ``sku: null``)."""

    sku: str | None
    attributes: list[AttributeWire]


class CommentAuthor(TypedDict):
    """``type`` ``businessUser``; a consumer's comment carries another value."""

    id: str
    type: str


class CommentWire(TypedDict):
    """One comment of a conversation."""

    commentId: str
    createdAt: str
    author: CommentAuthor
    content: str


class ConversationWire(TypedDict):
    """A conversation; ``source``, ``sourceId`` and ``state`` on the private one."""

    id: str
    businessUnitId: str
    consumerId: str
    source: NotRequired[str]
    sourceId: NotRequired[str]
    state: NotRequired[str]
    comments: list[CommentWire]


class CommentRequest(TypedDict):
    """Body of add-comment and edit-comment."""

    content: str
    integrationId: NotRequired[str]


class InvitationConsumer(TypedDict):
    """Who is invited to review."""

    email: str
    name: str


class InvitationProduct(TypedDict, total=False):
    """A product described by its details (instead of a Trustpilot product id)."""

    productUrl: str
    imageUrl: str
    name: str
    sku: str
    gtin: str
    mpn: str
    brand: str


class InvitationRequest(TypedDict):
    """Body of invitation-links: ``products`` or ``productIds``, never both."""

    consumer: InvitationConsumer
    referenceId: str
    locale: str
    redirectUri: NotRequired[str]
    products: NotRequired[list[InvitationProduct]]
    productIds: NotRequired[list[str]]


class InvitationLinkWire(TypedDict):
    """Answer of invitation-links."""

    reviewLinkId: str
    reviewUrl: str


class TokenResponse(TypedDict):
    """The token endpoint's answer; ``expires_in`` is a string of seconds."""

    access_token: str
    expires_in: str
    refresh_token: NotRequired[str]
    refresh_token_expires_in: NotRequired[str]
    issued_at: NotRequired[str]
    token_type: NotRequired[str]
