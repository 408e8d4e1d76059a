"""Pure mappers from Trustoo's wire objects to the gateway's records (no I/O).

Every mapper reads its fields through ``Fields``, which raises
``ProviderPayloadError`` when a required field is missing or a field has the wrong
JSON type (drift). Mapping decisions (vendors.md 5.3):

- ``commented_at`` (the customer's submission, ``YYYY-MM-DD HH:MM:SS``, UTC) is
  ``created_at``; ``updated_at`` is the platform's own ``updated_at``.
- Status: ``is_published`` 1 -> PUBLISHED, 0 -> HIDDEN (Trustoo has no moderation
  queue: an unpublished review is hidden from the storefront); a review without the
  field comes from the storefront list, which shows published reviews only, so it
  is PUBLISHED. Trustoo has no PENDING, REJECTED or ARCHIVED.
- ``imported`` is True for the sources that bring reviews in from elsewhere: "CSV
  uploaded", "AliExpress", "Amazon", "Shopee".
- ``product_id`` 0 is a store review (``product`` None); otherwise a ``ProductRef``
  with the catalog's SKU (None when the catalog does not list the id).
- ``author`` + ``author_country`` are the public ``Author``; ``author_email``,
  ``author_phone`` and ``order_id`` the private ``Customer`` (None when all empty).
- Trustoo reports no language: ``language`` is None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from gateway.config import CatalogEntry
from gateway.errors import ProviderPayloadError
from gateway.records import (
    Author,
    Customer,
    CustomerEvent,
    CustomerExclusion,
    Media,
    MediaType,
    ProductRef,
    Provider,
    RatingSummary,
    Reply,
    Review,
    ReviewKind,
    ReviewRequestOrder,
    ReviewStatus,
    StarDistribution,
    UploadCredentials,
    Webhook,
)
from gateway.timestamps import parse_iso

PROVIDER: Final = Provider.TRUSTOO
IMPORTED_SOURCES: Final = frozenset({"CSV uploaded", "AliExpress", "Amazon", "Shopee"})
MEDIA_TYPES: Final = {1: MediaType.IMAGE, 2: MediaType.VIDEO}
ORDER_STATES: Final = {
    1: "waiting",
    2: "scheduled",
    3: "sent",
    4: "opened",
    5: "evaluated",
    6: "cancelled",
}
"""get_orders ``status`` (numbered as the ``type`` filter) -> the record's status."""


def drift(what: str) -> ProviderPayloadError:
    return ProviderPayloadError(PROVIDER.value, f"unexpected answer: {what}")


class Fields:
    """Typed reads of one wire object; a missing or mistyped field is drift."""

    def __init__(self, raw: object, what: str) -> None:
        if not isinstance(raw, dict):
            raise drift(f"{what} is not an object")
        self.raw: dict[str, object] = raw
        self.what = what

    def _bad(self, name: str, kind: str) -> ProviderPayloadError:
        return drift(f"{self.what}.{name} is not {kind}")

    def opt_int(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._bad(name, "an integer")
        return value

    def req_int(self, name: str) -> int:
        value = self.opt_int(name)
        if value is None:
            raise drift(f"{self.what}.{name} is missing")
        return value

    def opt_str(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None or isinstance(value, str):
            return value
        raise self._bad(name, "a string")

    def req_str(self, name: str) -> str:
        value = self.opt_str(name)
        if value is None:
            raise drift(f"{self.what}.{name} is missing")
        return value

    def text(self, name: str) -> str | None:
        """An optional string where the platform sends ``""`` for "none"."""
        return self.opt_str(name) or None

    def opt_id(self, name: str) -> str | None:
        """An id sent as a number or a string, as text (``""`` is none)."""
        value = self.raw.get(name)
        if value is None or isinstance(value, str):
            return value or None
        return str(self.req_int(name))

    def id(self, name: str) -> str:
        value = self.opt_id(name)
        if value is None:
            raise drift(f"{self.what}.{name} is missing")
        return value

    def opt_time(self, name: str) -> datetime | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return parse_iso(value)
        except ValueError:
            raise self._bad(name, "a time") from None

    def req_time(self, name: str) -> datetime:
        value = self.opt_time(name)
        if value is None:
            raise drift(f"{self.what}.{name} is missing")
        return value

    def flag(self, name: str) -> bool | None:
        value = self.opt_int(name)
        return None if value is None else value == 1

    def items(self, name: str) -> list[object]:
        value = self.raw.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._bad(name, "an array")
        return value


@dataclass(frozen=True, slots=True)
class ProductIndex:
    """The catalog as Trustoo sees it: SKU <-> Shopify product id."""

    by_sku: Mapping[str, CatalogEntry]
    by_id: Mapping[int, CatalogEntry]

    @classmethod
    def of(cls, catalog: Iterable[CatalogEntry]) -> ProductIndex:
        listed = [e for e in catalog if e.trustoo_product_id is not None]
        return cls(
            by_sku={e.sku: e for e in listed},
            by_id={e.trustoo_product_id: e for e in listed if e.trustoo_product_id},
        )

    def product_id(self, sku: str) -> int | None:
        entry = self.by_sku.get(sku)
        return None if entry is None else entry.trustoo_product_id

    def ref(self, product_id: int, title: str | None) -> ProductRef:
        entry = self.by_id.get(product_id)
        if entry is None:
            return ProductRef(PROVIDER, str(product_id), name=title)
        return ProductRef(
            PROVIDER,
            str(product_id),
            sku=entry.sku,
            name=title or entry.name,
            gtin=entry.gtin,
            mpn=entry.mpn,
            brand=entry.brand,
            url=entry.url,
            image_url=entry.image_url,
        )


def _media_item(raw: object) -> Media | None:
    item = Fields(raw, "review.media[]")
    kind = MEDIA_TYPES.get(item.req_int("type"))
    if kind is None:  # a kind we do not know yet: skip it rather than fail the review
        return None
    return Media(kind, item.req_str("url"), item.text("thumbnail_url"))


def _media_object(raw: Fields) -> list[Media]:
    """The seed's ``{images, thumbnails, video, video_thumbnail}`` form."""
    images = [str(url) for url in raw.items("images") if isinstance(url, str)]
    thumbs = [str(url) for url in raw.items("thumbnails") if isinstance(url, str)]
    found = [
        Media(MediaType.IMAGE, url, thumbs[i] if i < len(thumbs) else None)
        for i, url in enumerate(images)
    ]
    video = raw.text("video")
    if video:
        found.append(Media(MediaType.VIDEO, video, raw.text("video_thumbnail")))
    return found


def _media(review: Fields) -> tuple[Media, ...]:
    value = review.raw.get("media")
    if isinstance(value, dict):
        return tuple(_media_object(Fields(value, "review.media")))
    found = (_media_item(item) for item in review.items("media"))
    return tuple(m for m in found if m is not None)


def _reply(review: Fields) -> Reply | None:
    value = review.raw.get("reply")
    if value is None:
        return None
    reply = Fields(value, "review.reply")
    body = reply.text("content")
    return None if body is None else Reply(body, reply.opt_time("reply_at"))


def _customer(review: Fields) -> Customer | None:
    email, phone = review.text("author_email"), review.text("author_phone")
    order = review.opt_id("order_id")
    if email is None and phone is None and order is None:
        return None
    return Customer(
        name=review.text("author"), email=email, phone=phone, order_reference=order
    )


def _status(published: bool | None) -> ReviewStatus:
    return ReviewStatus.HIDDEN if published is False else ReviewStatus.PUBLISHED


def to_review(raw: object, products: ProductIndex) -> Review:
    """A get_reviews / get_review / create_review object as a ``Review``."""
    review = Fields(raw, "review")
    rating = review.req_int("rating")
    if not 1 <= rating <= 5:
        raise drift("review.rating is not 1..5")
    product_id = review.opt_int("product_id") or 0
    return Review(
        provider=PROVIDER,
        provider_review_id=review.id("id"),
        rating=rating,
        rating_exact=float(rating),
        created_at=review.req_time("commented_at"),
        updated_at=review.opt_time("updated_at"),
        status=_status(review.flag("is_published")),
        author=Author(review.req_str("author"), review.text("author_country")),
        title=review.text("title"),
        body=review.text("content"),
        verified=review.flag("is_verified"),
        imported=review.opt_str("source") in IMPORTED_SOURCES,
        product=(
            products.ref(product_id, review.text("product_title"))
            if product_id
            else None
        ),
        media=_media(review),
        reply=_reply(review),
        customer=_customer(review),
        raw=review.raw,
        kind=ReviewKind.PRODUCT if product_id else ReviewKind.SHOP,
    )


def _average(rating: Fields, count: int) -> float | None:
    value = rating.raw.get("rating_value")
    # Documented as a string ("4.5"); a number is accepted too, it cannot mislead.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise drift("rating.rating_value is not a number string")
    try:
        average = float(value)
    except ValueError:
        raise drift("rating.rating_value is not a number string") from None
    return average if count else None


def to_rating_summary(raw: object, sku: str | None) -> RatingSummary:
    """A get_rating answer as the ``RatingSummary`` of ``sku`` (None: shop-wide)."""
    rating = Fields(raw, "rating")
    count = rating.req_int("review_count")
    stars = {n: rating.req_int(f"star{n}_count") for n in range(1, 6)}
    return RatingSummary(
        provider=PROVIDER,
        sku=sku,
        count=count,
        average=_average(rating, count),
        distribution=StarDistribution.of(stars),
    )


def zero_summary(sku: str | None) -> RatingSummary:
    return RatingSummary(PROVIDER, sku, 0, None, StarDistribution())


def to_webhook(raw: object) -> Webhook:
    hook = Fields(raw, "webhook")
    return Webhook(
        id=hook.id("id"),
        topic=hook.req_str("topic"),
        url=hook.req_str("url"),
        created_at=hook.opt_time("created_at"),
        updated_at=hook.opt_time("updated_at"),
    )


def to_customer_exclusion(raw: object) -> CustomerExclusion:
    row = Fields(raw, "customer_exclude")
    return CustomerExclusion(
        customer_id=row.id("customer_id"),
        email=row.req_str("email"),
        first_name=row.text("first_name"),
        last_name=row.text("last_name"),
        phone=row.text("phone"),
        created_at=row.opt_time("created_at"),
    )


def to_review_request_order(raw: object) -> ReviewRequestOrder:
    """An order; ``id`` is the Shopify order id (Trustoo's row id stays in raw)."""
    row = Fields(raw, "order")
    return ReviewRequestOrder(
        id=row.id("order_id"),
        order_number=row.text("order_name"),
        customer_email=row.text("customer_email"),
        customer_name=row.text("customer_name"),
        status=ORDER_STATES.get(row.req_int("status"), "unknown"),
        created_at=row.opt_time("created_at"),
        scheduled_at=row.opt_time("scheduled_at"),
        sent_at=row.opt_time("sent_at"),
        raw=row.raw,
    )


def to_customer_event(raw: object) -> CustomerEvent:
    row = Fields(raw, "customer_event")
    return CustomerEvent(
        id=row.id("id"),
        event_type=row.req_str("event_type"),
        created_at=row.opt_time("created_at"),
        event_source=row.text("event_source"),
        os_type=row.text("os_type"),
        raw=row.raw,
    )


def _expiry(row: Fields) -> datetime:
    return datetime.fromtimestamp(row.req_int("expire"), tz=UTC)


def to_image_upload(raw: object) -> UploadCredentials:
    """The OSS post policy; ``fields`` keep Trustoo's names, which the upload uses."""
    row = Fields(raw, "image_upload_policy")
    names = ("access_id", "host", "signature", "policy", "dir", "callback")
    return UploadCredentials(
        provider=PROVIDER,
        fields={name: row.req_str(name) for name in names},
        expires_at=_expiry(row),
    )


def to_video_upload(raw: object) -> UploadCredentials:
    """A presigned PUT URL (``upload_url``) and where the video will be served."""
    row = Fields(raw, "video_upload")
    names = ("upload_url", "video_url")
    return UploadCredentials(
        provider=PROVIDER,
        fields={name: row.req_str(name) for name in names},
        expires_at=_expiry(row),
    )


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a Trustoo list: its rows and where it stands."""

    rows: Sequence[object]
    page: int
    total_page: int
    count: int

    @property
    def last(self) -> bool:
        return self.page >= self.total_page


def to_list_page(raw: object) -> ListPage:
    data = Fields(raw, "list")
    info = Fields(data.raw.get("page"), "list.page")
    rows = data.raw.get("list")
    if not isinstance(rows, list):
        raise drift("list.list is not an array")
    return ListPage(
        rows=rows,
        page=info.req_int("page"),
        total_page=info.req_int("total_page"),
        count=info.req_int("count"),
    )
