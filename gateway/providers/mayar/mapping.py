"""Pure mappers from Mayar's wire JSON to the gateway's records (no I/O).

Each ``to_<record>`` takes the decoded JSON and raises ``ProviderPayloadError`` on
drift: a required field missing or of the wrong type, or a status Mayar does not
document. Optional fields may be absent (create/update answers carry no media, no
customer name and no payment link object).

Decisions (see the package docstring for the full list):

* status: ``ACTIVE`` -> PUBLISHED, ``INACTIVE`` -> HIDDEN, ``ARCHIVED`` -> ARCHIVED;
  Mayar has no PENDING or REJECTED.
* ``locator`` = the ``paymentLinkId``: Mayar has no get-review-by-id, so a review is
  found again in its payment link's list. The locator is part of the public id, so it
  never carries the customer id (that would link one customer across products);
  locators of the older form ``"<paymentLinkId>/<customerId>"`` are still read, by
  their payment link alone.
* author: ``customer.name`` in the public form, first name and last initial (``Ani
  S.``); the full name stays in ``Customer.name`` (PII). Answers without a name
  (customer endpoint, create, update) show ``ANONYMOUS_AUTHOR``. Country, title,
  language and reply: Mayar has none.
* verified: always True, since Mayar accepts reviews from paying customers only.
* media: ``multipleImage[]`` are images; a ``content[]`` entry becomes media only
  when its ``value`` is an http(s) URL (the docs give no URL for it otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Final, TypeVar

from gateway.config import CatalogEntry
from gateway.errors import ProviderPayloadError
from gateway.records import (
    Author,
    Customer,
    Media,
    MediaType,
    ProductRef,
    Provider,
    RatingSummary,
    Review,
    ReviewStatus,
    StarDistribution,
    public_name,
)
from gateway.timestamps import parse_epoch_ms

from .wire import MayarStatus

PROVIDER: Final = Provider.MAYAR
ANONYMOUS_AUTHOR: Final = "Verified buyer"
"""Shown when an answer carries no customer name (Mayar reviewers all paid)."""
LOCATOR_SEPARATOR: Final = "/"

STATUS_TO_RECORD: Final[Mapping[str, ReviewStatus]] = {
    "ACTIVE": ReviewStatus.PUBLISHED,
    "INACTIVE": ReviewStatus.HIDDEN,
    "ARCHIVED": ReviewStatus.ARCHIVED,
}
STATUS_TO_WIRE: Final[Mapping[ReviewStatus, MayarStatus]] = {
    ReviewStatus.PUBLISHED: "ACTIVE",
    ReviewStatus.HIDDEN: "INACTIVE",
    ReviewStatus.ARCHIVED: "ARCHIVED",
}

T = TypeVar("T")
Catalog = Mapping[str, CatalogEntry]
"""Catalog entries by Mayar payment link id."""


def _drift(what: str) -> ProviderPayloadError:
    return ProviderPayloadError(PROVIDER.value, f"unexpected payload: {what}")


def as_object(value: object, what: str) -> Mapping[str, object]:
    """``value`` as a JSON object, or ``ProviderPayloadError`` naming ``what``."""
    if not isinstance(value, dict):
        raise _drift(f"{what} is not an object")
    return value


def _required(raw: Mapping[str, object], name: str, kind: type[T], what: str) -> T:
    value = raw.get(name)
    # bool is an int subclass: a boolean where a number belongs is drift too.
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise _drift(f"{what}.{name} missing or not {kind.__name__}")
    return value


def _optional(
    raw: Mapping[str, object], name: str, kind: type[T], what: str
) -> T | None:
    if raw.get(name) is None:
        return None
    return _required(raw, name, kind, what)


def make_locator(payment_link_id: str) -> str:
    """The locator of a review: the payment link whose list holds it."""
    return payment_link_id


def parse_locator(locator: str) -> str | None:
    """The payment link id of a locator, ``None`` when malformed.

    The older ``"<paymentLinkId>/<customerId>"`` form gives its payment link; the
    customer part is not used.
    """
    link, sep, customer = locator.partition(LOCATOR_SEPARATOR)
    if not link or (sep and (not customer or LOCATOR_SEPARATOR in customer)):
        return None
    return link


def product_ref(payment_link_id: str, catalog: Catalog, name: str | None) -> ProductRef:
    """The payment link as a ``ProductRef``, with the catalog's SKU and details."""
    entry = catalog.get(payment_link_id)
    if entry is None:
        return ProductRef(PROVIDER, payment_link_id, name=name)
    return ProductRef(
        PROVIDER,
        payment_link_id,
        sku=entry.sku,
        name=entry.name or name,
        gtin=entry.gtin,
        mpn=entry.mpn,
        brand=entry.brand,
        url=entry.url,
        image_url=entry.image_url,
    )


def _media(raw: Mapping[str, object]) -> tuple[Media, ...]:
    media: list[Media] = []
    for item in _optional(raw, "multipleImage", list, "review") or []:
        image = as_object(item, "review.multipleImage[]")
        media.append(Media(MediaType.IMAGE, _required(image, "url", str, "image")))
    for item in _optional(raw, "content", list, "review") or []:
        content = as_object(item, "review.content[]")
        url = _optional(content, "value", str, "content")
        if url is None or not url.startswith(("https://", "http://")):
            continue
        file = as_object(content.get("file") or {}, "review.content[].file")
        mimetype = _optional(file, "mimetype", str, "content.file") or ""
        kind = MediaType.IMAGE if mimetype.startswith("image/") else MediaType.VIDEO
        media.append(Media(kind, url))
    return tuple(media)


def _status(raw: Mapping[str, object]) -> ReviewStatus:
    value = _required(raw, "status", str, "review")
    status = STATUS_TO_RECORD.get(value)
    if status is None:
        raise _drift(f"review.status {value!r} is not documented")
    return status


def _rating(raw: Mapping[str, object], what: str) -> int:
    rating = _required(raw, "rating", int, what)
    if not 1 <= rating <= 5:
        raise _drift(f"{what}.rating {rating} outside 1..5")
    return rating


def _timestamp_ms(raw: Mapping[str, object], name: str) -> int | float | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _drift(f"review.{name} is not epoch milliseconds")
    return value


def to_review(raw: object, catalog: Catalog | None = None) -> Review:
    """A Mayar review (list, customer, create or update shape) as a ``Review``."""
    data = as_object(raw, "review")
    link_id = _required(data, "paymentLinkId", str, "review")
    customer_id = _required(data, "customerId", str, "review")
    created = _timestamp_ms(data, "createdAt")
    if created is None:
        raise _drift("review.createdAt missing")
    updated = _timestamp_ms(data, "updatedAt")
    customer = as_object(data.get("customer") or {}, "review.customer")
    name = _optional(customer, "name", str, "review.customer")
    link = as_object(data.get("paymentLink") or {}, "review.paymentLink")
    rating = _rating(data, "review")
    return Review(
        provider=PROVIDER,
        provider_review_id=_required(data, "id", str, "review"),
        rating=rating,
        rating_exact=float(rating),
        created_at=parse_epoch_ms(created),
        updated_at=None if updated is None else parse_epoch_ms(updated),
        status=_status(data),
        author=Author(display_name=public_name(name) or ANONYMOUS_AUTHOR),
        body=_optional(data, "message", str, "review") or None,
        verified=True,
        product=product_ref(
            link_id, catalog or {}, _optional(link, "name", str, "paymentLink")
        ),
        media=_media(data),
        customer=Customer(name=name, provider_customer_id=customer_id),
        locator=make_locator(link_id),
        raw=data,
    )


def to_rating_summary(raw: object, sku: str | None) -> RatingSummary:
    """Product or merchant stats as a ``RatingSummary``; ``{}`` is a zero summary."""
    data = as_object(raw if raw is not None else {}, "stats")
    if not data:
        return zero_summary(sku)
    total = _required(data, "total", int, "stats")
    counts: dict[int, int] = {}
    for item in _required(data, "stats", list, "stats"):
        row = as_object(item, "stats.stats[]")
        counts[_rating(row, "stats.stats[]")] = _required(
            row, "totalRating", int, "stats.stats[]"
        )
    average = _average(data) if total else None
    return RatingSummary(PROVIDER, sku, total, average, StarDistribution.of(counts))


def _average(data: Mapping[str, object]) -> float:
    value = data.get("average")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _drift("stats.average missing or not a number")
    return float(value)


def zero_summary(sku: str | None) -> RatingSummary:
    """No reviews: count 0, no average, an empty distribution."""
    return RatingSummary(PROVIDER, sku, 0, None, StarDistribution())


def validation_detail(data: object) -> str | None:
    """A ``failed`` answer's detail as ``"field: reason; ..."`` (any shape kept)."""
    if data is None:
        return None
    items = data if isinstance(data, list) else [data]
    parts: list[str] = []
    for item in items:
        if isinstance(item, dict) and "field" in item:
            parts.append(f"{item.get('field')}: {item.get('reason', 'invalid')}")
        elif isinstance(item, dict):
            parts.extend(f"{key}: {value}" for key, value in item.items())
        else:
            parts.append(str(item))
    return "; ".join(parts) or None


def with_email(review: Review, email: str) -> Review:
    """Write answers carry no e-mail: keep the one that was sent on the customer."""
    customer = review.customer or Customer()
    return replace(review, customer=replace(customer, email=email))
