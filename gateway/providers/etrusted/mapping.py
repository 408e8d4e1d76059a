"""Pure mappers from eTrusted JSON to the common records (no I/O).

Mapping decisions (vendors.md 5.3, the seed's ``CustomerReviewResponseDto``):

* ``state`` -> status: ``APPROVED`` -> PUBLISHED, ``MODERATION`` -> PENDING,
  ``REJECTED`` -> REJECTED. eTrusted has no ARCHIVED or HIDDEN state.
* ``rating`` (1.0..5.0) -> ``rating_exact``; ``rating`` is it rounded half up
  (4.5 -> 5). A review without a rating (STATEMENT feedback) is no review of the
  common model: ``to_review`` refuses it, the client never asks for one.
* ``created_at`` = ``submittedAt`` (the customer's submission); ``updated_at`` =
  ``updatedAt``; ``imported`` = ``createdAt`` later than ``submittedAt`` (the seed:
  "This date will be after submittedAt for imported reviews").
* author: ``customer.firstName`` + the initial of ``lastName`` ("John D."), or
  ``Anonymous`` without names; ``fullName``, e-mail, mobile and the transaction
  reference go to ``Customer`` (PII). ``questionnaire.locale`` (``en_GB``) gives the
  language (``en``) and the author's country (``GB``); eTrusted has no other country.
* verified = ``verificationType == "VERIFIED"`` (None when absent).
* media = ``additionalInformation.attachments.images``: ``urlOriginal``, thumbnail =
  ``pathThumbnail`` resolved against ``urlOriginal``.
* product = ``product`` (``prt-`` id, SKU, GTIN as a string, MPN, brand, URLs).
* ``locator`` stays None: ``GET /reviews/{id}`` needs nothing but the id.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Final
from urllib.parse import urljoin

from gateway.records import (
    Author,
    Channel,
    Customer,
    Media,
    MediaType,
    ProductRef,
    RatingSummary,
    Reply,
    Review,
    ReviewKind,
    ReviewReport,
    ReviewStatus,
    StarDistribution,
)

from .fields import (
    PROVIDER,
    JSONMap,
    as_list,
    as_object,
    drift,
    instant,
    integer,
    number,
    opt_bool,
    opt_instant,
    opt_number,
    opt_object,
    opt_text,
    text,
)
from .wire import SERVICE_REVIEW, VERIFIED

ANONYMOUS: Final = "Anonymous"
STATE_TO_STATUS: Final[Mapping[str, ReviewStatus]] = {
    "APPROVED": ReviewStatus.PUBLISHED,
    "MODERATION": ReviewStatus.PENDING,
    "REJECTED": ReviewStatus.REJECTED,
}
STATUS_TO_STATE: Final[Mapping[ReviewStatus, str]] = {
    status: state for state, status in STATE_TO_STATUS.items()
}
_STARS: Final = ("oneStar", "twoStars", "threeStars", "fourStars", "fiveStars")
_LOCALE_SPLIT: Final = re.compile(r"[_-]")


def stars(exact: float) -> int:
    """A 1.0..5.0 rating as whole stars, rounded half up (4.5 -> 5)."""
    return math.floor(exact + 0.5)


def has_rating(raw: object) -> bool:
    """Whether a review item carries a rating (STATEMENT feedback may not)."""
    return isinstance(raw, dict) and raw.get("rating") is not None


def to_review(raw: object) -> Review:
    """A full review item (``GET /reviews``, ``/reviews/{id}``, deprecated twins)."""
    item = as_object(raw, "review")
    customer = opt_object(item, "customer", "review")
    language, country = _locale(item)
    created_at = instant(item, "submittedAt", "review")
    stored_at = opt_instant(item, "createdAt", "review")
    verification = opt_text(item, "verificationType", "review")
    exact = _rating(item)
    return Review(
        provider=PROVIDER,
        provider_review_id=text(item, "id", "review"),
        rating=stars(exact),
        rating_exact=exact,
        created_at=created_at,
        status=_status(item),
        author=Author(_display_name(customer), country),
        title=opt_text(item, "title", "review"),
        body=opt_text(item, "comment", "review"),
        language=language,
        updated_at=opt_instant(item, "updatedAt", "review"),
        verified=None if verification is None else verification == VERIFIED,
        imported=stored_at is not None and stored_at > created_at,
        product=to_product(opt_object(item, "product", "review")),
        media=_media(item),
        reply=_opt_reply(item),
        customer=_customer(item, customer),
        raw=item,
        kind=_kind(item),
    )


def to_minimal_review(raw: object) -> Review:
    """An item of ``GET /reviews-minimal``: no customer, product or locale there."""
    item = as_object(raw, "review")
    exact = _rating(item)
    return Review(
        provider=PROVIDER,
        provider_review_id=text(item, "id", "review"),
        rating=stars(exact),
        rating_exact=exact,
        created_at=instant(item, "submittedAt", "review"),
        status=_status(item),
        author=Author(ANONYMOUS),
        title=opt_text(item, "title", "review"),
        body=opt_text(item, "comment", "review"),
        raw=item,
        kind=_kind(item),
    )


def _kind(item: JSONMap) -> ReviewKind:
    """``type``: a service review is about the shop; anything else, a product."""
    return (
        ReviewKind.SHOP
        if opt_text(item, "type", "review") == SERVICE_REVIEW
        else ReviewKind.PRODUCT
    )


def _rating(item: JSONMap) -> float:
    exact = opt_number(item, "rating", "review")
    if exact is None:
        raise drift("review.rating is missing (STATEMENT feedback)")
    if not 1.0 <= exact <= 5.0:
        raise drift("review.rating is outside 1..5")
    return exact


def _status(item: JSONMap) -> ReviewStatus:
    status = STATE_TO_STATUS.get(text(item, "state", "review"))
    if status is None:
        raise drift("review.state is not APPROVED, MODERATION or REJECTED")
    return status


def _locale(item: JSONMap) -> tuple[str | None, str | None]:
    """``questionnaire.locale`` ``en_GB`` -> (``en``, ``GB``)."""
    questionnaire = opt_object(item, "questionnaire", "review")
    locale = (
        opt_text(questionnaire, "locale", "questionnaire") if questionnaire else None
    )
    if locale is None:
        return None, None
    language, _, region = _LOCALE_SPLIT.sub("_", locale).partition("_")
    return language.lower() or None, region.upper() or None


def _display_name(customer: JSONMap | None) -> str:
    """First name and last initial: the public name, never the full name (PII)."""
    if customer is None:
        return ANONYMOUS
    first = (opt_text(customer, "firstName", "customer") or "").strip()
    last = (opt_text(customer, "lastName", "customer") or "").strip()
    name = f"{first} {last[0]}." if first and last else first
    return name or ANONYMOUS


def _customer(item: JSONMap, customer: JSONMap | None) -> Customer | None:
    transaction = opt_object(item, "transaction", "review")
    reference = (
        opt_text(transaction, "reference", "transaction") if transaction else None
    )
    if customer is None and reference is None:
        return None
    customer = customer or {}
    return Customer(
        name=opt_text(customer, "fullName", "customer"),
        email=opt_text(customer, "email", "customer"),
        phone=opt_text(customer, "mobile", "customer"),
        order_reference=reference,
    )


def to_product(raw: JSONMap | None) -> ProductRef | None:
    """``product`` of a product review; ``None`` for a service review."""
    if raw is None:
        return None
    gtin = raw.get("gtin")
    if gtin is not None and (isinstance(gtin, bool) or not isinstance(gtin, str | int)):
        raise drift("product.gtin is not a string")
    return ProductRef(
        provider=PROVIDER,
        provider_product_id=opt_text(raw, "id", "product"),
        sku=opt_text(raw, "sku", "product"),
        name=opt_text(raw, "name", "product"),
        # The seed's sample prints gtin as a number, its schema says string.
        gtin=None if gtin is None or gtin == "" else str(gtin),
        mpn=opt_text(raw, "mpn", "product"),
        brand=opt_text(raw, "brand", "product"),
        url=opt_text(raw, "url", "product"),
        image_url=opt_text(raw, "imageUrl", "product"),
    )


def _media(item: JSONMap) -> tuple[Media, ...]:
    extra = opt_object(item, "additionalInformation", "review")
    attachments = (
        opt_object(extra, "attachments", "additionalInformation") if extra else None
    )
    if attachments is None or attachments.get("images") is None:
        return ()
    images = as_list(attachments["images"], "attachments.images")
    return tuple(_image(as_object(image, "image")) for image in images)


def _image(image: JSONMap) -> Media:
    url = text(image, "urlOriginal", "image")
    thumbnail = opt_text(image, "pathThumbnail", "image")
    return Media(MediaType.IMAGE, url, urljoin(url, thumbnail) if thumbnail else None)


def _opt_reply(item: JSONMap) -> Reply | None:
    raw = opt_object(item, "reply", "review")
    return None if raw is None else to_reply(raw)


def to_reply(raw: object) -> Reply:
    """``CustomerReviewReplyDto`` (inside a review, or the saved reply)."""
    reply = as_object(raw, "reply")
    return Reply(
        body=text(reply, "comment", "reply"),
        created_at=opt_instant(reply, "createdAt", "reply"),
        updated_at=opt_instant(reply, "updatedAt", "reply"),
        notify_customer=opt_bool(reply, "sendNotification", "reply"),
    )


def to_report(raw: object) -> ReviewReport:
    """``ReviewVetoResponseDto`` as a ``ReviewReport``."""
    veto = as_object(raw, "veto")
    return ReviewReport(
        id=text(veto, "id", "veto"),
        reason=text(veto, "reason", "veto"),
        comment=opt_text(veto, "comment", "veto"),
        ticket_id=opt_text(veto, "ticketId", "veto"),
        created_at=opt_instant(veto, "createdAt", "veto"),
    )


def to_channels(raw: object) -> list[Channel]:
    """``GET /channels``: a bare array of channels."""
    channels = []
    for entry in as_list(raw, "channels"):
        channel = as_object(entry, "channel")
        channels.append(
            Channel(text(channel, "id", "channel"), text(channel, "name", "channel"))
        )
    return channels


def to_count(raw: object) -> int:
    """``GET /reviews/count``: ``totalElements`` (Pipedream) or ``count`` (E-py)."""
    body = as_object(raw, "count")
    key = "totalElements" if "totalElements" in body else "count"
    return integer(body, key, "count")


def to_service_ratings(raw: object) -> dict[str, RatingSummary]:
    """The aggregate rating's periods (``7days`` .. ``overall``) as shop summaries.

    ``rating`` is the average (null when ``count`` is 0); ``distribution`` is not in
    the vendor's docs (only in Trusted Shops' SDK fixture): zeros when absent.
    """
    body = as_object(raw, "aggregate rating")
    return {
        name: _period(as_object(value, f"aggregate rating {name}"), name)
        for name, value in body.items()
        if isinstance(value, dict)
    }


def _period(raw: JSONMap, name: str) -> RatingSummary:
    count = integer(raw, "count", name)
    average = number(raw, "rating", name) if count else None
    distribution = opt_object(raw, "distribution", name)
    return RatingSummary(
        provider=PROVIDER,
        sku=None,
        count=count,
        average=average,
        distribution=(
            StarDistribution(*(integer(distribution, k, name) for k in _STARS))
            if distribution is not None
            else StarDistribution()
        ),
    )


@dataclass(frozen=True, slots=True)
class ReviewList:
    """One answer of a list endpoint: the raw items and whether more follow."""

    items: list[object]
    has_next: bool


def to_review_list(raw: object) -> ReviewList:
    """The list envelope; the last page has no (or an empty) ``cursor.after``."""
    body = as_object(raw, "review list")
    items = as_list(body.get("items"), "review list.items")
    paging = as_object(body.get("paging"), "review list.paging")
    cursor = opt_object(paging, "cursor", "paging")
    after = opt_text(cursor, "after", "cursor") if cursor else None
    return ReviewList(items, has_next=after is not None and bool(items))


def to_rated_sku(raw: object) -> tuple[str, float] | None:
    """(``product.sku``, ``rating``) of a product review; None without either."""
    item = as_object(raw, "review")
    product = opt_object(item, "product", "review")
    sku = opt_text(product, "sku", "product") if product else None
    if sku is None or item.get("rating") is None:
        return None
    return sku, _rating(item)


def summary_of(sku: str | None, ratings: Sequence[float]) -> RatingSummary:
    """Count, average (of the exact ratings, two decimals) and star distribution."""
    return RatingSummary(
        provider=PROVIDER,
        sku=sku,
        count=len(ratings),
        average=round(fmean(ratings), 2) if ratings else None,
        distribution=StarDistribution.of(Counter(stars(r) for r in ratings)),
    )
