"""One review as a row of the ``reviews`` table, and back (public fields only).

The mapping is the whole of what the store keeps: ``Review.customer`` and
``Review.raw`` have no column, so they cannot be written by mistake. Timestamps are
integer microseconds since the Unix epoch (UTC), which order exactly as the
datetimes do; the provider is its rank in ``Provider`` (the contract's tie-break
order), status and kind are small codes. ``digest`` fingerprints everything stored,
so an unchanged upsert is recognised without comparing columns.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from gateway.records import (
    AttributeRating,
    Author,
    Media,
    MediaType,
    ProductRef,
    Provider,
    Reply,
    Review,
    ReviewKind,
    ReviewStatus,
)

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)

PROVIDERS: Final = tuple(Provider)
STATUSES: Final = tuple(ReviewStatus)
KINDS: Final = tuple(ReviewKind)
PROVIDER_CODE: Final = {p: i for i, p in enumerate(PROVIDERS)}
STATUS_CODE: Final = {s: i for i, s in enumerate(STATUSES)}
KIND_CODE: Final = {k: i for i, k in enumerate(KINDS)}

REVIEW_COLUMNS: Final = (
    "provider",
    "review_id",
    "kind",
    "sku",
    "status",
    "rating",
    "rating_exact",
    "created_us",
    "updated_us",
    "activity_us",
    "language",
    "verified",
    "imported",
    "has_media",
    "has_reply",
    "title",
    "body",
    "author_name",
    "author_country",
    "has_product",
    "product_id",
    "product_name",
    "product_gtin",
    "product_mpn",
    "product_brand",
    "product_url",
    "product_image_url",
    "media",
    "reply_body",
    "reply_created_us",
    "reply_updated_us",
    "reply_notify",
    "conversation_id",
    "locator",
    "digest",
)
"""The stored columns of a review, in the order ``to_row`` yields them."""

SELECT_COLUMNS: Final = ", ".join(f"r.{c}" for c in REVIEW_COLUMNS[:-1])
"""What ``from_row`` reads (everything but the digest), prefixed ``r.``."""

Value = int | float | str | bytes | None


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch: exact, and ordered as the datetimes are."""
    return (moment - EPOCH) // _MICROSECOND


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


def _opt_us(moment: datetime | None) -> int | None:
    return None if moment is None else to_us(moment)


def _opt_dt(us: int | None) -> datetime | None:
    return None if us is None else from_us(us)


def _opt_bool(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _opt_flag(value: int | None) -> bool | None:
    return None if value is None else bool(value)


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A review ready to write: its column values and its attribute ratings."""

    values: tuple[Value, ...]
    attributes: tuple[tuple[str, str, int], ...]

    @property
    def provider(self) -> int:
        return int(self.values[0])  # type: ignore[arg-type]

    @property
    def review_id(self) -> str:
        return str(self.values[1])

    @property
    def digest(self) -> bytes:
        digest = self.values[-1]
        assert isinstance(digest, bytes)
        return digest


def _media_json(media: Sequence[Media]) -> str | None:
    if not media:
        return None
    return json.dumps(
        [[m.type.value, m.url, m.thumbnail_url] for m in media],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _product_values(product: ProductRef | None) -> tuple[Value, ...]:
    if product is None:
        return (0, None, None, None, None, None, None, None)
    return (
        1,
        product.provider_product_id,
        product.name,
        product.gtin,
        product.mpn,
        product.brand,
        product.url,
        product.image_url,
    )


def _reply_values(reply: Reply | None) -> tuple[Value, ...]:
    if reply is None:
        return (None, None, None, None)
    return (
        reply.body,
        _opt_us(reply.created_at),
        _opt_us(reply.updated_at),
        _opt_bool(reply.notify_customer),
    )


def to_row(review: Review) -> ReviewRow:
    """The public part of ``review`` as column values (``customer``/``raw`` dropped)."""
    created = to_us(review.created_at)
    updated = _opt_us(review.updated_at)
    values: tuple[Value, ...] = (
        PROVIDER_CODE[review.provider],
        review.provider_review_id,
        KIND_CODE[review.kind],
        review.product.sku if review.product is not None else None,
        STATUS_CODE[review.status],
        review.rating,
        float(review.rating_exact),
        created,
        updated,
        created if updated is None else updated,
        review.language,
        _opt_bool(review.verified),
        int(review.imported),
        int(bool(review.media)),
        int(review.reply is not None),
        review.title,
        review.body,
        review.author.display_name,
        review.author.country,
        *_product_values(review.product),
        _media_json(review.media),
        *_reply_values(review.reply),
        review.conversation_id,
        review.locator,
    )
    attributes = tuple((a.id, a.name, a.rating) for a in review.attribute_ratings)
    fingerprint = repr((values, attributes)).encode("utf-8")
    digest = hashlib.blake2b(fingerprint, digest_size=16).digest()
    return ReviewRow((*values, digest), attributes)


def _product(provider: Provider, row: Sequence[Value]) -> ProductRef | None:
    # row: sku, has_product, id, name, gtin, mpn, brand, url, image_url
    if not row[1]:
        return None
    sku, _, product_id, name, gtin, mpn, brand, url, image_url = row
    return ProductRef(
        provider=provider,
        provider_product_id=_opt_str(product_id),
        sku=_opt_str(sku),
        name=_opt_str(name),
        gtin=_opt_str(gtin),
        mpn=_opt_str(mpn),
        brand=_opt_str(brand),
        url=_opt_str(url),
        image_url=_opt_str(image_url),
    )


def _opt_str(value: Value) -> str | None:
    return None if value is None else str(value)


def _media(raw: Value) -> tuple[Media, ...]:
    if raw is None:
        return ()
    items: list[list[str | None]] = json.loads(str(raw))
    return tuple(
        Media(MediaType(str(kind)), str(url), thumb) for kind, url, thumb in items
    )


def _reply(row: Sequence[Value]) -> Reply | None:
    body, created, updated, notify = row
    if body is None:
        return None
    return Reply(
        body=str(body),
        created_at=_opt_dt(_opt_int(created)),
        updated_at=_opt_dt(_opt_int(updated)),
        notify_customer=_opt_flag(_opt_int(notify)),
    )


def _opt_int(value: Value) -> int | None:
    return None if value is None else int(value)


def from_row(
    row: Sequence[Value], attributes: Sequence[tuple[str, str, int]] = ()
) -> Review:
    """The ``Review`` a row of ``SELECT_COLUMNS`` holds (``customer`` None)."""
    provider = PROVIDERS[_int(row[0])]
    return Review(
        provider=provider,
        provider_review_id=str(row[1]),
        kind=KINDS[_int(row[2])],
        status=STATUSES[_int(row[4])],
        rating=_int(row[5]),
        rating_exact=float(row[6]),  # type: ignore[arg-type]
        created_at=from_us(_int(row[7])),
        updated_at=_opt_dt(_opt_int(row[8])),
        language=_opt_str(row[10]),
        verified=_opt_flag(_opt_int(row[11])),
        imported=bool(row[12]),
        title=_opt_str(row[15]),
        body=_opt_str(row[16]),
        author=Author(str(row[17]), _opt_str(row[18])),
        product=_product(provider, (row[3], *row[19:27])),
        media=_media(row[27]),
        reply=_reply(row[28:32]),
        conversation_id=_opt_str(row[32]),
        locator=_opt_str(row[33]),
        attribute_ratings=tuple(
            AttributeRating(id=a, name=n, rating=r) for a, n, r in attributes
        ),
    )


def _int(value: Value) -> int:
    assert isinstance(value, int)
    return value
