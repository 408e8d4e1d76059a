"""Pure mappers from Trustpilot's JSON to the common records (no I/O).

Each ``to_<record>(raw)`` validates the fields it reads and raises
``ProviderPayloadError`` when the payload drifts from the documented shape (a required
field missing or of the wrong type, an unknown state). Optional fields may be missing
or ``null``.

Decisions (the docs leave them open):

- Review state -> ``ReviewStatus``: ``published`` PUBLISHED, ``unpublished`` HIDDEN,
  ``underModeration`` PENDING, ``archived`` ARCHIVED; Trustpilot has no REJECTED.
- Product reviews carry no title and no "verified" flag: ``title`` and ``verified``
  stay ``None``. ``rating_exact`` is ``float(stars)``.
- Author: the private payload has only the name the business knows (``consumer.name``,
  PII, kept in ``Customer.name``); the public author name is cut to first name and
  last initial (``John D.``, how Trustpilot's public payload shows it) so no full
  name reaches public callers. The country is the region of the review's ``locale``
  (``de-DE`` -> ``DE``): the only country the payload carries.
- Media: one ``Media`` per attachment; ``url`` is its widest rendition,
  ``thumbnail_url`` the narrowest (when there are several); ``video/*`` is VIDEO.
- ``reply`` stays ``None`` on reviews: replies live in the conversation
  (``conversation_id``); ``reply_of(conversation)`` derives one.
- Imported reviews have no id: ``imported_review_id`` is a hash of SKU, createdAt,
  consumer name and content (two byte-identical imports share it); their locator is
  the SKU, which the client needs to find them again.
- Conversation comments: ``author.type`` ``businessUser`` is BUSINESS, anything else
  CONSUMER. A public conversation has no ``state``: it is PUBLIC.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Final

from gateway import records
from gateway.config import CatalogEntry
from gateway.records import (
    AttributeRating,
    AttributeSummary,
    Author,
    Comment,
    CommentAuthorType,
    Conversation,
    ConversationState,
    Customer,
    InvitationLink,
    Media,
    MediaType,
    ProductRef,
    RatingSummary,
    Reply,
    Review,
    ReviewStatus,
    StarDistribution,
)

from .fields import (
    P,
    Raw,
    drift,
    integer,
    items,
    obj,
    opt_number,
    opt_obj,
    opt_text,
    opt_timestamp,
    stars,
    text,
    timestamp,
)

STATUS: Final[Mapping[str, ReviewStatus]] = {
    "published": ReviewStatus.PUBLISHED,
    "unpublished": ReviewStatus.HIDDEN,
    "underModeration": ReviewStatus.PENDING,
    "archived": ReviewStatus.ARCHIVED,
}
"""Trustpilot review ``state`` -> the common status."""

STATE: Final[Mapping[ReviewStatus, str]] = {v: k for k, v in STATUS.items()}
"""The common status -> the private list's ``state`` filter value (no REJECTED)."""

IMPORTED_PREFIX: Final = "imported-"
_STAR_FIELDS: Final = ("oneStar", "twoStars", "threeStars", "fourStars", "fiveStars")
_OCCURRENCES: Final = ("one", "two", "three", "four", "five")


# --- shared parts --------------------------------------------------------------


def to_attribute_ratings(raw: Raw, what: str) -> tuple[AttributeRating, ...]:
    return tuple(
        AttributeRating(
            id=text(a, "attributeId", what),
            name=text(a, "attributeName", what),
            rating=integer(a, "rating", what),
        )
        for a in items(raw, "attributeRatings", what)
    )


def _width(file: Raw) -> int:
    """``1024pxWide`` -> 1024 (0 when the dimension says nothing usable)."""
    digits = "".join(ch for ch in str(file.get("dimension") or "") if ch.isdigit())
    return int(digits) if digits else 0


def to_media(raw: Raw, what: str) -> tuple[Media, ...]:
    found = []
    for attachment in items(raw, "attachments", what):
        files = items(attachment, "processedFiles", f"{what}.attachments[]")
        if not files:
            continue
        ordered = sorted(files, key=_width)
        widest, narrowest = ordered[-1], ordered[0]
        mime = opt_text(widest, "mimeType", what) or ""
        found.append(
            Media(
                type=MediaType.VIDEO if mime.startswith("video/") else MediaType.IMAGE,
                url=text(widest, "url", what),
                thumbnail_url=text(narrowest, "url", what) if len(files) > 1 else None,
            )
        )
    return tuple(found)


def public_name(name: str | None) -> str:
    """``John Doe`` -> ``John D.``: no full name for public callers."""
    return records.public_name(name) or "Anonymous"


def country_of(locale: str | None) -> str | None:
    """``de-DE`` -> ``DE``; ``None`` without a region."""
    if not locale:
        return None
    _, _, region = locale.replace("_", "-").partition("-")
    return region.upper() or None


def to_product(
    raw: Raw, catalog: Mapping[str, CatalogEntry], what: str = "product"
) -> ProductRef:
    """The wire product, gaps filled from the catalog entry of its SKU."""
    sku = text(raw, "sku", what)
    entry = catalog.get(sku) or CatalogEntry(sku=sku)
    images = items(raw, "productImages", what)
    image_url = opt_text(images[0], "url", what) if images else None
    return ProductRef(
        provider=P,
        provider_product_id=opt_text(raw, "id", what),
        sku=sku,
        name=opt_text(raw, "name", what) or entry.name,
        gtin=opt_text(raw, "gtin", what) or entry.gtin,
        mpn=opt_text(raw, "mpn", what) or entry.mpn,
        brand=opt_text(raw, "brand", what) or entry.brand,
        url=opt_text(raw, "productUrl", what) or entry.url,
        image_url=image_url or entry.image_url,
    )


def catalog_product(sku: str, catalog: Mapping[str, CatalogEntry]) -> ProductRef:
    """A product known only by SKU (public and imported reviews name none)."""
    entry = catalog.get(sku) or CatalogEntry(sku=sku)
    return ProductRef(
        provider=P,
        provider_product_id=None,
        sku=sku,
        name=entry.name,
        gtin=entry.gtin,
        mpn=entry.mpn,
        brand=entry.brand,
        url=entry.url,
        image_url=entry.image_url,
    )


# --- reviews -------------------------------------------------------------------


def to_status(value: str) -> ReviewStatus:
    try:
        return STATUS[value]
    except KeyError:
        raise drift(f"unknown review state {value!r}") from None


def to_review(raw: object, catalog: Mapping[str, CatalogEntry] | None = None) -> Review:
    """A private product review (list item or single review)."""
    what = "productReview"
    review = obj(raw, what)
    consumer = obj(review.get("consumer"), f"{what}.consumer")
    product = opt_obj(review, "product", what)
    locale = opt_text(review, "locale", what)
    name = opt_text(consumer, "name", f"{what}.consumer")
    rating = stars(review, what)
    return Review(
        provider=P,
        provider_review_id=text(review, "id", what),
        rating=rating,
        rating_exact=float(rating),
        created_at=timestamp(review, "createdAt", what),
        updated_at=opt_timestamp(review, "updatedAt", what),
        status=to_status(text(review, "state", what)),
        author=Author(display_name=public_name(name), country=country_of(locale)),
        body=opt_text(review, "content", what),
        language=opt_text(review, "language", what),
        product=None if product is None else to_product(product, catalog or {}),
        media=to_media(review, what),
        conversation_id=opt_text(review, "conversationId", what),
        attribute_ratings=to_attribute_ratings(review, what),
        customer=Customer(
            name=name,
            email=opt_text(consumer, "email", f"{what}.consumer"),
            order_reference=opt_text(review, "referenceId", what),
            provider_customer_id=opt_text(consumer, "id", f"{what}.consumer"),
        ),
        raw=review,
    )


def to_public_review(raw: object, product: ProductRef | None = None) -> Review:
    """An item of the API-key list: published, no PII, no state or product."""
    what = "productReview"
    review = obj(raw, what)
    consumer = obj(review.get("consumer"), f"{what}.consumer")
    rating = stars(review, what)
    return Review(
        provider=P,
        provider_review_id=text(review, "id", what),
        rating=rating,
        rating_exact=float(rating),
        created_at=timestamp(review, "createdAt", what),
        status=ReviewStatus.PUBLISHED,
        author=Author(display_name=text(consumer, "displayName", f"{what}.consumer")),
        body=opt_text(review, "content", what),
        language=opt_text(review, "language", what),
        product=product,
        media=to_media(review, what),
        attribute_ratings=to_attribute_ratings(review, what),
        raw=review,
    )


def imported_review_id(sku: str, review: Raw) -> str:
    """A stable id for an imported review, which has none on the wire."""
    consumer = review.get("consumer")
    name = consumer.get("name") if isinstance(consumer, Mapping) else None
    key = json.dumps([sku, review.get("createdAt"), name, review.get("content")])
    return IMPORTED_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:32]


def to_imported_review(raw: object, product: ProductRef) -> Review:
    """An imported review of ``product`` (its SKU is the locator)."""
    what = "importedReview"
    review = obj(raw, what)
    consumer = obj(review.get("consumer"), f"{what}.consumer")
    name = opt_text(consumer, "name", f"{what}.consumer")
    rating = stars(review, what)
    sku = product.sku or ""
    return Review(
        provider=P,
        provider_review_id=imported_review_id(sku, review),
        rating=rating,
        rating_exact=float(rating),
        created_at=timestamp(review, "createdAt", what),
        status=ReviewStatus.PUBLISHED,
        author=Author(display_name=public_name(name)),
        body=opt_text(review, "content", what),
        language=opt_text(review, "language", what),
        imported=True,
        product=product,
        customer=Customer(name=name),
        locator=sku,
        raw=review,
    )


# --- summaries -----------------------------------------------------------------


def zero_summary(sku: str | None) -> RatingSummary:
    return RatingSummary(P, sku, 0, None, StarDistribution())


def to_rating_summary(raw: object, sku: str | None) -> RatingSummary:
    """A summary; ``starsAverage`` is taken as reported, ``None`` when count is 0."""
    what = "summary"
    summary = obj(raw, what)
    counts = obj(summary.get("numberOfReviews"), f"{what}.numberOfReviews")
    distribution = StarDistribution(
        *(integer(counts, name, f"{what}.numberOfReviews") for name in _STAR_FIELDS)
    )
    total = integer(counts, "total", f"{what}.numberOfReviews")
    average = opt_number(summary, "starsAverage", what)
    return RatingSummary(P, sku, total, average if total else None, distribution)


def to_sku_summary(raw: object) -> RatingSummary:
    """A batch-summaries or private-list entry, which names its SKU."""
    return to_rating_summary(raw, text(obj(raw, "summary"), "sku", "summary"))


def to_attribute_summary(raw: object) -> AttributeSummary:
    what = "attribute"
    attribute = obj(raw, what)
    occurrences = obj(attribute.get("occurrences"), f"{what}.occurrences")
    count = integer(attribute, "totalOccurrences", what)
    return AttributeSummary(
        id=text(attribute, "id", what),
        name=text(attribute, "name", what),
        count=count,
        average=opt_number(attribute, "average", what) if count else None,
        distribution=StarDistribution(
            *(integer(occurrences, n, f"{what}.occurrences") for n in _OCCURRENCES)
        ),
    )


# --- conversations, invitations ------------------------------------------------


def to_comment(raw: object) -> Comment:
    what = "comment"
    comment = obj(raw, what)
    author = obj(comment.get("author"), f"{what}.author")
    business = text(author, "type", f"{what}.author") == "businessUser"
    return Comment(
        id=text(comment, "commentId", what),
        body=text(comment, "content", what),
        created_at=timestamp(comment, "createdAt", what),
        author_type=(
            CommentAuthorType.BUSINESS if business else CommentAuthorType.CONSUMER
        ),
        author_id=opt_text(author, "id", f"{what}.author"),
    )


def to_conversation(raw: object) -> Conversation:
    """A private or public conversation (no ``state``: public)."""
    what = "conversation"
    conversation = obj(raw, what)
    state = opt_text(conversation, "state", what) or ConversationState.PUBLIC.value
    try:
        parsed = ConversationState(state)
    except ValueError:
        raise drift(f"unknown conversation state {state!r}") from None
    return Conversation(
        provider=P,
        id=text(conversation, "id", what),
        state=parsed,
        comments=tuple(to_comment(c) for c in items(conversation, "comments", what)),
        review_id=opt_text(conversation, "sourceId", what),
    )


def reply_of(conversation: Conversation) -> Reply | None:
    """The business's first comment as the review's reply (``None`` without one)."""
    first = next(
        (
            c
            for c in conversation.comments
            if c.author_type is CommentAuthorType.BUSINESS
        ),
        None,
    )
    if first is None:
        return None
    return Reply(first.body, first.created_at, first.updated_at)


def to_invitation_link(raw: object) -> InvitationLink:
    link = obj(raw, "invitationLink")
    return InvitationLink(
        id=text(link, "reviewLinkId", "invitationLink"),
        url=text(link, "reviewUrl", "invitationLink"),
    )


def has_next(body: Raw, count: int, per_page: int) -> bool:
    """Whether another page follows: a full page, unless ``links`` say otherwise.

    ``links[].rel`` is not documented; any ``rel`` naming "next" counts. A page
    whose links lack one is the last; without links a full page may have more.
    """
    if count < per_page:
        return False
    links = items(body, "links", "links")
    if not links:
        return True
    return any("next" in str(link.get("rel", "")).lower() for link in links)
